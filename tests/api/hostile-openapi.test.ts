// Protects every operation of the API, found by walking /openapi.json (a new route is covered
// without a new list): hostile variants of each path parameter, query parameter and top-level
// body field (and of whole bodies) must answer below 500, every 4xx in the one envelope with a
// request id, a live tail must not answer 200 and then an error, and another workspace's data must
// be exactly as before. On both databases. Real resources are used where a route needs one, so
// the hostile values reach the handlers and the database, not only the router.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callbackHook, functionHook, startTestApi, type TestApi, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";

type Schema = { $ref?: string; type?: string; properties?: Record<string, Schema> };
type Parameter = { name: string; in: "path" | "query" | "header" };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
};
type OpenApi = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

const cursorOf = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const deep = (n: number) => `${"[".repeat(n)}1${"]".repeat(n)}`;

/** Raw query-string values (already encoded): empty, NUL, invalid UTF-8, long, numbers, dates, cursors. */
const HOSTILE_QUERY = [
  "",
  "a%00b",
  "%ED%A0%80",
  "x".repeat(10_000),
  "-1",
  "99999999999999999999",
  "1e400",
  "0000-01-01T00:00:00Z",
  "2024-02-30T00:00:00Z",
  "%5B%5D",
  cursorOf(["2024-02-30T00:00:00Z", "x"]),
  cursorOf(["0000-01-01T00:00:00Z", "x"]),
];
/** Raw path segments: NUL, invalid UTF-8, long, dots, spaces. */
const HOSTILE_SEGMENTS = ["a%00b", "%ED%A0%80", "x".repeat(2000), "..", "a%20b", "%25"];
/** JSON values for one body field. */
const HOSTILE_VALUES: unknown[] = [
  null,
  "",
  "a\u0000b",
  "\ud800",
  "x".repeat(70_000),
  -1,
  2_147_483_648,
  1e308,
  true,
  [],
  {},
  ["\u0000"],
  { "\u0000": 1, s: "\udc00" },
  "0000-01-01T00:00:00Z",
  "2024-02-30T00:00:00Z",
];

describe.each(testDatabases)("every operation under hostile input on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  let other: WorkspaceKeys;
  let doc: OpenApi;
  /** A real resource for each path parameter name, so routes reach their handlers. */
  const real: Record<string, string> = {};

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
    other = await api.workspace("bystander");
    const admin = (ws: WorkspaceKeys, method: string, path: string, body?: unknown) =>
      api.request(method, `/v1/workspaces/${ws.ws}${path}`, { key: ws.admin, body });
    for (const ws of [acme, other]) {
      await admin(ws, "POST", "/event-types", { name: "order.paid", example: { orderId: "o_1" } });
      await admin(ws, "POST", "/hooks", callbackHook({ headers: { "x-api-key": "k-0123456789" } }));
      const fn = await admin(ws, "POST", "/hooks", functionHook({ source: "export default (e) => e.data" }));
      const event = await api.request("POST", `/v1/workspaces/${ws.ws}/events`, {
        key: ws.ingest,
        body: { type: "verification", data: { n: 1 } },
      });
      const invoked = await admin(ws, "POST", `/hooks/${fn.body.id}/invoke`, { data: { n: 2 } });
      if (ws === acme) {
        real.id = fn.body.id;
        real.event = event.body.id;
        real.delivery = event.body.deliveries[0]?.id ?? "dlv_none";
        real.attempt = invoked.body.attemptId;
        real.name = "order.paid";
      }
    }
    doc = (await api.request("GET", "/openapi.json")).body as OpenApi;
  });
  afterAll(() => api.close());

  /** Everything of the bystander workspace, as the database holds it. */
  async function bystanderData(): Promise<string> {
    const ws = other.ws;
    const tables = [
      "hooks",
      "event_types",
      "events",
      "deliveries",
      "attempts",
      "api_keys",
      "function_versions",
    ] as const;
    const rows = await Promise.all(
      tables.map((t) =>
        api.db
          .selectFrom(t)
          .selectAll()
          .where("workspace_id", "=", ws)
          .execute()
          .then((r) =>
            JSON.stringify(r.map((x) => ({ ...x })).sort((a, b) => String(a.id).localeCompare(String(b.id)))),
          ),
      ),
    );
    const workspace = await api.db.selectFrom("workspaces").selectAll().where("id", "=", ws).execute();
    return JSON.stringify([rows, workspace]);
  }

  function resolve(schema: Schema | undefined): Schema | undefined {
    const ref = schema?.$ref?.split("/").pop();
    return ref ? doc.components.schemas[ref] : schema;
  }

  /** The real value for a path parameter of `path`, or undefined where a real one would be destructive. */
  function realParam(path: string, method: string, name: string): string | undefined {
    if (name === "ws") return method === "delete" && path === "/v1/workspaces/{ws}" ? undefined : acme.ws;
    if (method === "delete") return undefined; // never delete the resources the walk relies on
    if (name === "name") return real.name;
    if (path.includes("/events/{id}")) return real.event;
    if (path.includes("/deliveries/{id}")) return real.delivery;
    if (path.includes("/logs/{id}")) return real.attempt;
    if (path.includes("/keys/{id}")) return undefined;
    return real.id;
  }

  type Sent = { label: string; status: number; body: string; stream: boolean };

  async function send(method: string, url: string, body?: string): Promise<Sent> {
    const key = url.startsWith("/v1/workspaces/") ? acme.admin : api.rootKey;
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await api.fetch(new Request(`http://localhost${url}`, { method, headers, body }));
    if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
      // A tail that answered 200: read what it says at once, then hang up.
      const reader = res.body?.getReader();
      const first = await Promise.race([
        reader?.read().then((r) => new TextDecoder().decode(r.value ?? new Uint8Array())),
        new Promise<string>((r) => setTimeout(() => r(""), 300)),
      ]);
      await reader?.cancel();
      return { label: `${method} ${url.slice(0, 120)}`, status: res.status, body: first ?? "", stream: true };
    }
    return {
      label: `${method} ${url.slice(0, 120)}`,
      status: res.status,
      body: await res.text(),
      stream: false,
    };
  }

  /** What is wrong with an answer, or null. */
  function problem(sent: Sent): string | null {
    if (sent.status >= 500) return `${sent.label}: ${sent.status} ${sent.body.slice(0, 300)}`;
    if (sent.stream)
      return /event: error/.test(sent.body) ? `${sent.label}: 200 then ${sent.body.slice(0, 200)}` : null;
    if (sent.status < 400) return null;
    try {
      const parsed = JSON.parse(sent.body) as { error?: { code?: unknown; requestId?: unknown } };
      if (typeof parsed.error?.code === "string" && typeof parsed.error.requestId === "string") return null;
    } catch {}
    return `${sent.label}: ${sent.status} without the envelope: ${sent.body.slice(0, 200)}`;
  }

  it("answers every hostile variant of every operation below 500, in the envelope", async () => {
    const before = await bystanderData();
    const problems: string[] = [];
    let sent = 0;
    const check = async (method: string, url: string, body?: string) => {
      sent++;
      const p = problem(await send(method.toUpperCase(), url, body));
      if (p) problems.push(p);
    };
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const params = op.parameters ?? [];
        const pathParams = params.filter((p) => p.in === "path");
        const fill = (override?: [string, string]) =>
          path.replace(/\{(\w+)\}/g, (_m, name: string) =>
            override?.[0] === name
              ? override[1]
              : (realParam(path, method, name) ?? `unknown_${randomBytes(3).toString("hex")}`),
          );
        const bodySchema = resolve(op.requestBody?.content["application/json"]?.schema);
        const validBody = bodySchema ? "{}" : undefined;
        // Path parameters.
        for (const p of pathParams)
          for (const value of HOSTILE_SEGMENTS) await check(method, fill([p.name, value]), validBody);
        // Query parameters, one at a time.
        for (const p of params.filter((q) => q.in === "query"))
          for (const value of HOSTILE_QUERY) await check(method, `${fill()}?${p.name}=${value}`, validBody);
        if (!bodySchema) continue;
        // Whole bodies, then each top-level field.
        for (const raw of ["[]", '"x"', "null", "1", deep(10_000), '{"a":', "\u0000"])
          await check(method, fill(), raw);
        for (const field of Object.keys(bodySchema.properties ?? {})) {
          for (const value of HOSTILE_VALUES) await check(method, fill(), JSON.stringify({ [field]: value }));
          await check(method, fill(), `{${JSON.stringify(field)}:${deep(10_000)}}`);
          await check(method, fill(), `{${JSON.stringify(field)}:{"k":${deep(10_000)}}}`);
        }
      }
    }
    expect(sent).toBeGreaterThan(1000);
    expect(problems).toEqual([]);
    expect(await bystanderData()).toBe(before);
  }, 300_000);
});
