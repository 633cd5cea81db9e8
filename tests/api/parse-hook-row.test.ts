// Protects parseHookRow, the one place a hooks row becomes a hook: each kind keeps its own columns
// (and only those), every empty column gets its default there (POST, a 10 s timeout, Standard
// Webhooks signing, no URLs, the default function limits, an empty draft), explicit values win over
// the defaults, the API's create schema defaults to the same values, and rows as both databases
// return them parse so.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_CALLBACK_METHOD,
  DEFAULT_CALLBACK_TIMEOUT_MS,
  DEFAULT_FUNCTION_LIMITS,
  DEFAULT_SIGNING,
  parseHookRow,
} from "../../api/src/db/hook";
import type { HookRow } from "../../api/src/db/schema";
import { CallbackHookCreate, FunctionHookCreate } from "../../api/src/schemas/hooks";
import { type OpenedTestDatabase, testDatabases } from "../support/db";
import { commonColumns, hookRow } from "../support/hook-rows";

const at = commonColumns.created_at;

const common = commonColumns;

/** A row with every nullable column empty, as a hook created before its kind's columns existed. */
const emptyRow = (kind: HookRow["kind"]): HookRow =>
  hookRow({ ...common, id: `hk_${kind}`, kind, name: kind });

describe("parseHookRow", () => {
  const defaults = [
    {
      kind: "callback",
      others: "function",
      columns: {
        method: "POST",
        urls: [],
        disabled_urls: [],
        headers_enc: null,
        timeout_ms: 10_000,
        signing: { scheme: "standard-webhooks" },
        signing_secret_enc: null,
        previous_signing_secret_enc: null,
        previous_signing_secret_expires_at: null,
        fifo: false,
        breaker_failures: 10,
      },
    },
    {
      kind: "function",
      others: "callback",
      columns: {
        source: "",
        live_version: null,
        secrets_enc: null,
        limits: { memoryMb: 64, timeoutMs: 10_000, cpuMs: 1_000 },
      },
    },
  ] as const;
  it.each(defaults)("gives a $kind row's empty columns their defaults and drops the $others columns", (c) => {
    expect(parseHookRow(emptyRow(c.kind))).toStrictEqual({
      ...common,
      id: `hk_${c.kind}`,
      name: c.kind,
      kind: c.kind,
      ...c.columns,
    });
  });

  it("keeps a callback row's explicit values", () => {
    const explicit = {
      method: "PUT",
      urls: ["https://a.example/", "https://b.example/"],
      disabled_urls: [{ url: "https://b.example/", at: at.toISOString(), reason: "410" }],
      headers_enc: "sealed-headers",
      timeout_ms: 2_500,
      signing: {
        scheme: "hmac-sha256",
        header: "X-Signature",
        payload: "url+body",
        encoding: "base64",
        prefix: "sha256=",
      },
      signing_secret_enc: "sealed-secret",
      previous_signing_secret_enc: "sealed-previous",
      previous_signing_secret_expires_at: at,
    } satisfies Partial<HookRow>;
    expect(parseHookRow({ ...emptyRow("callback"), ...explicit })).toMatchObject({
      kind: "callback",
      ...explicit,
    });
  });

  it("keeps a function row's explicit values", () => {
    const explicit = {
      source: "export default () => 1;",
      live_version: 3,
      secrets_enc: "sealed-secrets",
      limits: { memoryMb: 32, timeoutMs: 500, cpuMs: 50 },
    };
    expect(parseHookRow({ ...emptyRow("function"), ...explicit })).toMatchObject({
      kind: "function",
      ...explicit,
    });
  });

  it("hands out defaults that cannot be changed through one hook for every other", () => {
    const hook = parseHookRow(emptyRow("callback"));
    if (hook.kind !== "callback") throw new Error("expected a callback hook");
    expect(Object.isFrozen(hook.signing)).toBe(true);
    expect(Object.isFrozen(DEFAULT_FUNCTION_LIMITS)).toBe(true);
  });

  it("refuses a row of an unknown kind instead of guessing", () => {
    const row = { ...emptyRow("callback"), kind: "webhook" } as unknown as HookRow;
    expect(() => parseHookRow(row)).toThrow("hook hk_callback has an unknown kind: webhook");
  });
});

describe("the create schema's defaults", () => {
  it("are the ones a row without the values is read with", () => {
    const callback = CallbackHookCreate.parse({
      kind: "callback",
      name: "c",
      events: ["order.created"],
      urls: ["https://a.example/"],
    });
    expect({ method: callback.method, timeoutMs: callback.timeoutMs, signing: callback.signing }).toEqual({
      method: DEFAULT_CALLBACK_METHOD,
      timeoutMs: DEFAULT_CALLBACK_TIMEOUT_MS,
      signing: DEFAULT_SIGNING,
    });
    const fn = FunctionHookCreate.parse({ kind: "function", name: "f", events: ["order.created"] });
    expect(fn.limits).toEqual(DEFAULT_FUNCTION_LIMITS);
    const partial = FunctionHookCreate.parse({
      kind: "function",
      name: "f",
      events: ["order.created"],
      limits: {},
    });
    expect(partial.limits).toEqual(DEFAULT_FUNCTION_LIMITS);
  });
});

describe.each(testDatabases)("rows as $name returns them", (target) => {
  let opened: OpenedTestDatabase;

  beforeAll(async () => {
    opened = await target.open();
    await opened.db.insertInto("workspaces").values({ id: "ws_1", name: "acme" }).execute();
    const base = {
      workspace_id: "ws_1",
      events: JSON.stringify(["order.created"]),
      retry: JSON.stringify({ maxAttempts: 8 }),
    };
    await opened.db
      .insertInto("hooks")
      .values([
        { ...base, id: "hk_c", kind: "callback", name: "c" },
        { ...base, id: "hk_f", kind: "function", name: "f" },
        {
          ...base,
          id: "hk_x",
          kind: "callback",
          name: "x",
          method: "GET",
          urls: JSON.stringify(["https://a.example/"]),
          disabled_urls: JSON.stringify([]),
          timeout_ms: 1_000,
          signing: JSON.stringify({ scheme: "standard-webhooks" }),
          previous_signing_secret_expires_at: at,
        },
      ])
      .execute();
  });
  afterAll(() => opened.close());

  it("parse with the defaults where columns are empty and the stored values elsewhere", async () => {
    const rows = await opened.db.selectFrom("hooks").selectAll().orderBy("id").execute();
    const [c, f, x] = rows.map(parseHookRow);
    expect(c).toMatchObject({
      kind: "callback",
      method: "POST",
      urls: [],
      disabled_urls: [],
      timeout_ms: 10_000,
      signing: { scheme: "standard-webhooks" },
      enabled: true,
      description: "",
    });
    expect(f).toMatchObject({
      kind: "function",
      source: "",
      live_version: null,
      limits: DEFAULT_FUNCTION_LIMITS,
    });
    expect(x).toMatchObject({
      kind: "callback",
      method: "GET",
      urls: ["https://a.example/"],
      timeout_ms: 1_000,
      previous_signing_secret_expires_at: at,
    });
    expect(f).not.toHaveProperty("urls");
    expect(c).not.toHaveProperty("limits");
  });
});
