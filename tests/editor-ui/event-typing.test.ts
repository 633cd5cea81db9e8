// Protects what the function editor's IntelliSense knows: event types matched by a hook's
// subscriptions, JSON Schemas and examples turned into TypeScript types, the per-hook `HookEvent`
// union and secret names, and the sandbox declarations (exactly the isolate's globals: no DOM, no
// Node). The generated text is checked with the real TypeScript compiler, with the editor's
// options. Also: reading the failing line from a source-mapped stack, and its message given to
// Monaco's hover as plain text (never Markdown that could carry links). No Monaco involved.
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { covers } from "../../api/src/schemas/hook-rules";
import { DEFAULT_FUNCTION_SOURCE } from "../../api/src/services/hooks";
import {
  type CatalogEventType,
  dataTypeName,
  eventTypesFor,
  exampleToType,
  hookDeclarations,
  schemaToType,
} from "../../editor-ui/src/monaco/event-typing";
import { plainTextMarkdown } from "../../editor-ui/src/monaco/plain-text";
import { SANDBOX_LIBS, SANDBOX_TYPES } from "../../editor-ui/src/monaco/sandbox-types";
import { errorPosition, FUNCTION_FILE } from "../../editor-ui/src/monaco/stack-position";
import { compileFunction } from "../../runtime/src/compile";

// The compiler options monaco.ts gives the editor's TypeScript service.
const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ESNext,
  module: ts.ModuleKind.ESNext,
  lib: SANDBOX_LIBS.map((l) => `lib.${l}.d.ts`),
  strict: true,
  noImplicitAny: false,
  noEmit: true,
  isolatedModules: true,
  types: [],
};
const libCache = new Map<string, ts.SourceFile | undefined>();

/** Type-checks in-memory files against the sandbox declarations; the error messages, by file. */
function typeErrors(files: Record<string, string>): string[] {
  const all: Record<string, string> = { "/sandbox.d.ts": SANDBOX_TYPES, ...files };
  const host = ts.createCompilerHost(OPTIONS);
  const readLib = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language) => {
    const text = all[name];
    if (text !== undefined) return ts.createSourceFile(name, text, language, true);
    if (!libCache.has(name)) libCache.set(name, readLib(name, language));
    return libCache.get(name);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name in all || fileExists(name);
  const program = ts.createProgram(Object.keys(all), OPTIONS, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file
      ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : "";
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

/** Declares `T` as the given type text and checks `code` against it. */
function checkType(type: string, code: string): string[] {
  return typeErrors({ "/case.ts": `type T = ${type};\n${code}\nexport {};\n` });
}

const ORDER_SCHEMA = {
  type: "object",
  required: ["orderId", "total", "items"],
  properties: {
    orderId: { type: "string", description: "The shop's order number" },
    total: { type: "number" },
    currency: { enum: ["EUR", "USD"] },
    items: {
      type: "array",
      items: {
        type: "object",
        required: ["sku"],
        properties: { sku: { type: "string" }, qty: { type: "integer" } },
      },
    },
    note: { type: ["string", "null"] },
  },
  additionalProperties: false,
};

const CATALOG: CatalogEventType[] = [
  {
    name: "verification",
    description: "A verification finished",
    example: { sessionId: "ses_1", status: "approved" },
  },
  { name: "order.created", schema: ORDER_SCHEMA, example: { orderId: "o1", total: 5, items: [] } },
  { name: "order.paid", example: { orderId: "o1", paidAt: "2024-01-01T00:00:00Z", amount: 12.5 } },
  { name: "order.paid.partially", schema: null, example: null },
  { name: "orders.archived", example: {} },
];

describe("which event types a hook receives", () => {
  it("matches exact names, prefix patterns and *", () => {
    expect(covers("order.created", "order.created")).toBe(true);
    expect(covers("order.created", "order.paid")).toBe(false);
    expect(covers("order.*", "order.paid")).toBe(true);
    expect(covers("order.*", "order.paid.partially")).toBe(true);
    expect(covers("order.*", "order")).toBe(false);
    expect(covers("order.*", "orders.archived")).toBe(false);
    expect(covers("*", "anything.at.all")).toBe(true);
  });

  it("lists the covered catalog entries in catalog order, once each", () => {
    const names = (patterns: string[]) => eventTypesFor(patterns, CATALOG).map((t) => t.name);
    expect(names(["order.*"])).toEqual(["order.created", "order.paid", "order.paid.partially"]);
    expect(names(["order.paid", "verification", "order.*"])).toEqual([
      "verification",
      "order.created",
      "order.paid",
      "order.paid.partially",
    ]);
    expect(names(["*"])).toEqual(CATALOG.map((t) => t.name));
    expect(names(["nothing.*"])).toEqual([]);
  });

  it("keeps exact subscriptions the catalog does not know, with nothing to type them from", () => {
    expect(eventTypesFor(["verification", "legacy.ping"], CATALOG)).toEqual([
      CATALOG[0],
      { name: "legacy.ping" },
    ]);
  });
});

describe("JSON Schema to TypeScript", () => {
  it("maps the scalar types, enums, consts and nullability", () => {
    expect(schemaToType({ type: "string" })).toBe("string");
    expect(schemaToType({ type: "integer" })).toBe("number");
    expect(schemaToType({ type: "number" })).toBe("number");
    expect(schemaToType({ type: "boolean" })).toBe("boolean");
    expect(schemaToType({ type: "null" })).toBe("null");
    expect(schemaToType({ enum: ["a", 1, true, null] })).toBe('"a" | 1 | true | null');
    expect(schemaToType({ const: "fixed" })).toBe('"fixed"');
    expect(schemaToType({ type: ["string", "number"] })).toBe("string | number");
    expect(schemaToType({ type: "string", nullable: true })).toBe("string | null");
  });

  it("says unknown (or never) where the schema does not constrain", () => {
    expect(schemaToType({})).toBe("unknown");
    expect(schemaToType(true)).toBe("unknown");
    expect(schemaToType(false)).toBe("never");
    expect(schemaToType(undefined)).toBe("unknown");
    expect(schemaToType({ type: "mystery" })).toBe("unknown");
    expect(schemaToType({ anyOf: [{ type: "string" }, {}] })).toBe("unknown");
  });

  it("types objects: required and optional properties, quoted keys, descriptions as doc comments", () => {
    const type = schemaToType({
      type: "object",
      required: ["id"],
      properties: {
        id: { type: "string", description: "The id */ with a comment end" },
        "first-name": { type: "string", format: "email" },
        nested: { type: "object", properties: { deep: { type: "boolean" } } },
      },
    });
    expect(type).toBe(
      [
        "{",
        "  /** The id *\\/ with a comment end */",
        "  id: string;",
        "  /** format: email */",
        '  "first-name"?: string;',
        "  nested?: {",
        "    deep?: boolean;",
        "  };",
        "}",
      ].join("\n"),
    );
    expect(checkType(type, 'const ok: T = { id: "1", "first-name": "a", nested: { deep: true } };')).toEqual(
      [],
    );
    expect(checkType(type, "const bad: T = { nested: {} };").join()).toContain("'id' is missing");
  });

  it("types maps, open objects and closed empty objects", () => {
    expect(schemaToType({ type: "object" })).toBe("Record<string, unknown>");
    expect(schemaToType({ type: "object", additionalProperties: { type: "number" } })).toBe(
      "Record<string, number>",
    );
    expect(schemaToType({ type: "object", additionalProperties: false })).toBe("{}");
    const open = schemaToType({
      type: "object",
      properties: { a: { type: "string" } },
      additionalProperties: { type: "number" },
    });
    expect(open).toContain("[key: string]: unknown;");
    expect(checkType(open, 'const ok: T = { a: "x", b: 2 };')).toEqual([]);
  });

  it("types arrays and tuples (draft-07 and 2020-12)", () => {
    expect(schemaToType({ type: "array", items: { type: "string" } })).toBe("string[]");
    expect(schemaToType({ type: "array" })).toBe("unknown[]");
    expect(schemaToType({ type: "array", items: { type: ["string", "null"] } })).toBe("(string | null)[]");
    expect(
      schemaToType({
        type: "array",
        items: [{ type: "string" }, { type: "number" }],
        additionalItems: false,
      }),
    ).toBe("[string, number]");
    expect(
      schemaToType({ type: "array", prefixItems: [{ type: "string" }], items: { type: "boolean" } }),
    ).toBe("[string, ...boolean[]]");
  });

  it("combines anyOf/oneOf as unions and allOf as intersections", () => {
    expect(schemaToType({ oneOf: [{ type: "string" }, { type: "number" }] })).toBe("string | number");
    const both = schemaToType({
      allOf: [
        { type: "object", required: ["a"], properties: { a: { type: "string" } } },
        { type: "object", required: ["b"], properties: { b: { type: "number" } } },
      ],
    });
    expect(checkType(both, 'const ok: T = { a: "x", b: 1 };')).toEqual([]);
    expect(checkType(both, 'const bad: T = { a: "x" };').join()).toContain("'b' is missing");
  });

  it("follows local $refs, and stops at cycles and refs it cannot resolve", () => {
    const schema = {
      type: "object",
      required: ["billing"],
      properties: {
        billing: { $ref: "#/definitions/address" },
        shipping: { $ref: "#/$defs/address" },
        self: { $ref: "#/definitions/node" },
        remote: { $ref: "https://example.com/schema.json" },
      },
      definitions: {
        address: { type: "object", required: ["city"], properties: { city: { type: "string" } } },
        node: { type: "object", properties: { next: { $ref: "#/definitions/node" } } },
      },
      $defs: { address: { type: "string" } },
    };
    const type = schemaToType(schema);
    expect(type).toContain("billing: {\n    city: string;\n  };");
    expect(type).toContain("shipping?: string;");
    expect(type).toContain("next?: unknown;");
    expect(type).toContain("remote?: unknown;");
    expect(checkType(type, "declare const t: T; const city: string = t.billing.city;")).toEqual([]);
  });

  it("gives the order schema's data a type the compiler holds code to", () => {
    const type = schemaToType(ORDER_SCHEMA);
    const good = [
      "declare const d: T;",
      "const id: string = d.orderId;",
      "const total: number = d.total;",
      "const sku: string | undefined = d.items[0]?.sku;",
      'const cur: "EUR" | "USD" | undefined = d.currency;',
      "const note: string | null | undefined = d.note;",
    ].join("\n");
    expect(checkType(type, good)).toEqual([]);
    expect(checkType(type, "declare const d: T; d.totl;").join()).toContain("Property 'totl' does not exist");
    expect(checkType(type, 'declare const d: T; const c: "GBP" = d.currency;').length).toBe(1);
  });
});

describe("example JSON to TypeScript", () => {
  it("types scalars and objects, with the example values as doc comments", () => {
    expect(exampleToType("x")).toBe("string");
    expect(exampleToType(1.5)).toBe("number");
    expect(exampleToType(false)).toBe("boolean");
    expect(exampleToType(null)).toBe("null");
    expect(exampleToType(undefined)).toBe("unknown");
    expect(exampleToType({})).toBe("Record<string, unknown>");
    expect(exampleToType({ sessionId: "ses_1", "risk score": 0.2, user: { verified: true } })).toBe(
      [
        "{",
        '  /** e.g. "ses_1" */',
        "  sessionId: string;",
        "  /** e.g. 0.2 */",
        '  "risk score": number;',
        "  user: {",
        "    /** e.g. true */",
        "    verified: boolean;",
        "  };",
        "}",
      ].join("\n"),
    );
  });

  it("merges array items: keys missing from some items are optional, mixed items a union", () => {
    const type = exampleToType({
      items: [
        { sku: "a", qty: 1 },
        { sku: "b", gift: true },
      ],
    });
    expect(type).toContain("sku: string;");
    expect(type).toContain("qty?: number;");
    expect(type).toContain("gift?: boolean;");
    expect(exampleToType([1, "a", null])).toBe("(string | number | null)[]");
    expect(exampleToType([])).toBe("unknown[]");
    expect(exampleToType([[1], [2, 3]])).toBe("number[][]");
    expect(exampleToType({ tags: [{ a: 1 }, "x"] })).toContain("tags: ({\n");
    expect(
      checkType(exampleToType({ tags: [{ a: 1 }, "x"] }), 'const ok: T = { tags: [{ a: 2 }, "y"] };'),
    ).toEqual([]);
  });

  it("shortens long example values in doc comments", () => {
    const type = exampleToType({ text: "x".repeat(200) });
    expect(type).toMatch(/\/\*\* e\.g\. "x+… \*\//);
    expect(type.length).toBeLessThan(120);
  });
});

describe("the per-hook declarations", () => {
  const events = eventTypesFor(["verification", "order.*", "legacy.ping"], CATALOG);
  const declarations = hookDeclarations({
    hookName: "crm sync",
    events,
    secretNames: ["API_TOKEN", "bad-name"],
  });
  const check = (code: string) => typeErrors({ "/hook.d.ts": declarations, "/function.ts": code });

  it("names each event type's data type after it, uniquely", () => {
    const taken = new Set<string>();
    expect(dataTypeName("order.created", taken)).toBe("OrderCreatedData");
    expect(dataTypeName("order_created", taken)).toBe("OrderCreatedData2");
    expect(dataTypeName("3d.scan", taken)).toBe("Event3dScanData");
    expect(declarations).toContain("type OrderCreatedData = {");
    expect(declarations).toContain('| HookEventOf<"order.created", OrderCreatedData>');
    expect(declarations).toContain("/**\n * A verification finished\n");
  });

  it("makes HookEvent a union narrowed by type, each with its data type", () => {
    const code = `export default async function (event: HookEvent, ctx: HookContext) {
  if (event.type === "order.created") {
    const total: number = event.data.total;
    const skus: string[] = event.data.items.map((i) => i.sku);
    return { total, skus };
  }
  if (event.type === "order.paid") return { amount: event.data.amount + 1, at: event.data.paidAt };
  if (event.type === "verification") return event.data.sessionId.toUpperCase();
  if (event.type === "legacy.ping") return event.data;
  const never: "order.paid.partially" = event.type;
  return { id: event.id, at: event.timestamp, ws: event.workspace, context: event.context, never };
}`;
    expect(check(code)).toEqual([]);
  });

  it("refuses data fields and event types the hook does not have", () => {
    const wrongField = check(`export default async function (event: HookEvent) {
  if (event.type === "order.paid") return event.data.total;
}`);
    expect(wrongField.join()).toContain("Property 'total' does not exist");
    const wrongType = check(`export default async function (event: HookEvent) {
  if (event.type === "order.refunded") return 1;
}`);
    expect(wrongType.join()).toContain("no overlap");
  });

  it("knows the hook's secret names; other names may be undefined", () => {
    expect(declarations).toContain("readonly API_TOKEN: string;");
    expect(declarations).not.toContain("bad-name");
    expect(
      check(`export default async function (_e: HookEvent, ctx: HookContext) {
  const token: string = ctx.secrets.API_TOKEN;
  const other: string | undefined = ctx.secrets.OTHER;
  return [token, other, ctx.hook.id, ctx.hook.name, ctx.attempt + 1, ctx.deliveryId];
}`),
    ).toEqual([]);
    expect(
      check(`export default async function (_e: HookEvent, ctx: HookContext) {
  const other: string = ctx.secrets.OTHER;
}`).join(),
    ).toContain("'string | undefined' is not assignable to type 'string'");
  });

  it("falls back to an open event when the hook's subscriptions match nothing", () => {
    const empty = hookDeclarations({ hookName: "x", events: [], secretNames: [] });
    expect(empty).toContain("type HookEvent = HookEventOf<string, unknown>;");
    expect(
      typeErrors({
        "/hook.d.ts": empty,
        "/function.ts": "export default (event: HookEvent) => event.type.length;",
      }),
    ).toEqual([]);
  });

  it("type-checks the draft a new function hook starts with", () => {
    expect(typeErrors({ "/hook.d.ts": declarations, "/function.ts": DEFAULT_FUNCTION_SOURCE })).toEqual([]);
  });
});

describe("the sandbox declarations", () => {
  const check = (body: string) =>
    typeErrors({
      "/hook.d.ts": hookDeclarations({ hookName: "x", events: [], secretNames: [] }),
      "/function.ts": `export default async function (event: HookEvent, ctx: HookContext) {\n${body}\n}`,
    });

  it("declares the isolate's web globals", () => {
    const code = `
  console.log("a", 1); console.info(); console.warn(); console.error(); console.debug(); console.assert(true, "x");
  const res = await fetch(new URL("/hooks", "https://crm.example.com"), {
    method: "POST",
    headers: { authorization: \`Bearer \${ctx.secrets.TOKEN}\` },
    body: JSON.stringify(event.data),
    redirect: "manual",
  });
  const body: unknown = await res.json();
  const text: string = await new Response("x", { status: 201 }).text();
  const headers = new Headers([["a", "b"]]); headers.set("c", "d");
  for (const [k, v] of headers) console.log(k, v);
  const req = new Request("https://x.example", { method: "PUT", body: new Uint8Array(1) });
  const url = new URL("https://x.example/?a=1"); url.searchParams.append("b", "2");
  const q = new URLSearchParams({ a: "1" }).toString();
  const bytes: Uint8Array = new TextEncoder().encode("é");
  const back: string = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  const b64: string = btoa("x") + atob("eA==");
  const id: string = crypto.randomUUID();
  crypto.getRandomValues(new Uint32Array(4));
  const digest: ArrayBuffer = await crypto.subtle.digest("SHA-256", bytes);
  const key = await crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = await crypto.subtle.sign("HMAC", key, bytes);
  const timer: number = setTimeout((n: number) => console.log(n), 10, 1); clearTimeout(timer);
  const copy = structuredClone({ a: new Map([[1, 2]]) });
  await new Promise((resolve) => setTimeout(resolve, 1));
  return { body, text, req: req.method, url: url.href, q, back, b64, id, digest, sig, copy, res: Response.json({}) };`;
    expect(check(code)).toEqual([]);
  });

  it.each([
    ["document", "document.title"],
    ["window", "window.location"],
    ["require", 'require("fs")'],
    ["process", "process.env"],
    ["WeakRef", "new WeakRef({})"],
    ["SharedArrayBuffer", "new SharedArrayBuffer(8)"],
    ["setInterval", "setInterval(() => 1, 5)"],
    ["XMLHttpRequest", "new XMLHttpRequest()"],
  ])("has no %s (the isolate has none)", (name, use) => {
    expect(check(`${use};`).join()).toContain(`Cannot find name '${name}'`);
  });

  it("refuses what the sandbox's crypto does not support", () => {
    expect(check('await crypto.subtle.digest("MD5", new Uint8Array(1));').length).toBe(1);
    expect(
      check('await crypto.subtle.sign("RSASSA-PKCS1-v1_5", {} as CryptoKey, new Uint8Array(1));').length,
    ).toBe(1);
  });
});

describe("the failing line from a run's stack", () => {
  it("takes the innermost frame of the function's own file", () => {
    const stack = [
      "TypeError: Cannot read properties of undefined (reading 'x')",
      "    at helper (function.ts:7:15)",
      "    at default (function.ts:3:10)",
    ].join("\n");
    expect(errorPosition(stack)).toEqual({ line: 7, column: 15 });
    expect(errorPosition("Error: boom\n    at function.ts:2:9")).toEqual({ line: 2, column: 9 });
  });

  it("finds nothing without a frame of the function", () => {
    expect(errorPosition(undefined)).toBeNull();
    expect(errorPosition("")).toBeNull();
    expect(errorPosition("Error: boom\n    at hookrun-function.js:1:100")).toBeNull();
    expect(errorPosition("Error: boom\n    at (other-function.ts:1:1)")).toBeNull();
  });

  it("uses the file name the compiler gives the function's source map", async () => {
    const compiled = await compileFunction("export default () => 1;\n");
    if (!compiled.ok) throw new Error("did not compile");
    expect((JSON.parse(compiled.sourceMap) as { sources: string[] }).sources).toEqual([FUNCTION_FILE]);
  });
});

describe("a run error's message on the editor's hover", () => {
  /** The fence and the body of a fenced code block. */
  const parts = (value: string) => {
    const lines = value.split("\n");
    const open = lines[0] ?? "";
    const fence = /^`+/.exec(open)?.[0] ?? "";
    return {
      fence,
      info: open.slice(fence.length),
      body: lines.slice(1, -1).join("\n"),
      close: lines.at(-1),
    };
  };

  it("is a fenced code block holding the message verbatim, untrusted and without HTML", () => {
    const message =
      "Error: upstream said [click](https://evil.example/) <img src=x onerror=alert(1)> **now**";
    const md = plainTextMarkdown(message);
    expect(md.isTrusted).toBe(false);
    expect(md.supportHtml).toBe(false);
    const { fence, info, body, close } = parts(md.value);
    expect(fence).toBe("```");
    expect(info).toBe("plaintext");
    expect(body).toBe(message);
    expect(close).toBe(fence);
  });

  it("cannot be closed early by backticks or newlines in the message", () => {
    const message = "line one\n```\n[escaped](https://evil.example/)\n`````` and ``code``";
    const { fence, body, close } = parts(plainTextMarkdown(message).value);
    expect(fence.length).toBe(7);
    expect(close).toBe(fence);
    expect(body).toBe(message);
    for (const line of body.split("\n")) expect(line.trim().startsWith(fence)).toBe(false);
  });
});
