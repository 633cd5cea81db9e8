// Protects the hooks' secrets from the execution log: whatever a function prints, throws or returns,
// and whatever a receiver echoes back of a callback's custom headers, an operator reading the log (or
// an admin reading /test and /invoke) sees `[redacted]`, never the value. Through the real HTTP API,
// real isolates, a real receiver on 127.0.0.1 and the dispatch worker, on both databases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DispatchWorker } from "../../api/src/dispatch/worker";
import {
  callbackHook,
  functionHook,
  startTestApi,
  type TestApi,
  testWorker,
  type WorkspaceKeys,
} from "../support/app";
import { testDatabases } from "../support/db";
import { type Receiver, startReceiver } from "../support/receiver";

const TOKEN = "s3cr3t-value-123";
const API_KEY = "key-abcdef-123456";

// Prints the secrets (as an object and inline), then throws or returns them (as a key and a value).
const source = `export default (event, ctx) => {
  console.log(ctx.secrets);
  console.log("token:", ctx.secrets.TOKEN);
  if (event.data.fail) throw new Error("the receiver refused " + ctx.secrets.TOKEN);
  return { token: ctx.secrets.TOKEN, [ctx.secrets.TOKEN]: [1, { nested: "Bearer " + ctx.secrets.TOKEN }], n: 42 };
}`;

describe.each(testDatabases)("secret redaction on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  let receiver: Receiver;
  let worker: DispatchWorker | undefined;
  let fnId: string;
  let cbId: string;

  const admin = (method: string, path: string, body?: unknown) =>
    api.request(method, `/v1/workspaces/${acme.ws}${path}`, { key: acme.admin, body });
  const asOperator = (path: string) =>
    api.request("GET", `/v1/workspaces/${acme.ws}${path}`, { key: acme.operator });
  /** The attempt as an operator reads it, checked to hold no secret anywhere in its JSON. */
  async function logRecord(attemptId: string) {
    const res = await asOperator(`/logs/${attemptId}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
    expect(JSON.stringify(res.body)).not.toContain(API_KEY);
    return res.body;
  }

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
    receiver = await startReceiver();
    // Echoes the key it was sent, in its body and in a header, as a careless receiver might.
    receiver.reply((req) => ({
      status: 200,
      headers: { "content-type": "application/json", "x-echo": `got ${req.headers["x-api-key"]}` },
      body: JSON.stringify({ received: req.headers["x-api-key"] }),
    }));
    const fn = await admin("POST", "/hooks", functionHook({ source, secrets: { TOKEN, SHORT: "abc" } }));
    expect(fn.status, JSON.stringify(fn.body)).toBe(201);
    fnId = fn.body.id;
    const cb = await admin(
      "POST",
      "/hooks",
      callbackHook({ urls: [`${receiver.url}/hook`], headers: { "x-api-key": API_KEY } }),
    );
    expect(cb.status, JSON.stringify(cb.body)).toBe(201);
    cbId = cb.body.id;
  });

  afterAll(async () => {
    await worker?.stop();
    await receiver?.close();
    await api?.close();
  });

  it("redacts a function's console lines and result in what /invoke answers and the log records", async () => {
    const invoked = await admin("POST", `/hooks/${fnId}/invoke`, { data: { fail: false } });
    expect(invoked.status, JSON.stringify(invoked.body)).toBe(200);
    expect(invoked.body.outcome).toBe("success");
    expect(JSON.stringify(invoked.body)).not.toContain(TOKEN);

    const record = await logRecord(invoked.body.attemptId);
    expect(record.logs.lines.map((l: { message: string }) => l.message)).toEqual([
      // The 3-character secret is too short to redact (it would match everywhere).
      '{"TOKEN":"[redacted]","SHORT":"abc"}',
      "token: [redacted]",
    ]);
    expect(record.result).toEqual({
      token: "[redacted]",
      "[redacted]": [1, { nested: "Bearer [redacted]" }],
      n: 42,
    });
    expect(record.error).toBeNull();
  });

  it("redacts a function's error (name, message and stack)", async () => {
    const invoked = await admin("POST", `/hooks/${fnId}/invoke`, { data: { fail: true } });
    expect(invoked.body.outcome).toBe("error");
    expect(JSON.stringify(invoked.body)).not.toContain(TOKEN);

    const record = await logRecord(invoked.body.attemptId);
    expect(record.outcome).toBe("error");
    expect(record.error).toMatchObject({ name: "Error", message: "the receiver refused [redacted]" });
    expect(record.error.stack).toContain("the receiver refused [redacted]");
    expect(record.logs.lines[1].message).toBe("token: [redacted]");
    expect(record.result).toBeNull();

    const thrownName = await admin("POST", `/hooks/${fnId}/test`, {
      source: `export default (e, ctx) => { const err = new Error("x"); err.name = ctx.secrets.TOKEN; throw err; }`,
    });
    expect(thrownName.body.error.name).toBe("[redacted]");
    expect(JSON.stringify(thrownName.body)).not.toContain(TOKEN);
  });

  it("redacts what /test answers for a function", async () => {
    const tested = await admin("POST", `/hooks/${fnId}/test`, { data: { fail: false } });
    expect(tested.status).toBe(200);
    expect(tested.body).toMatchObject({
      outcome: "success",
      attemptId: null,
      result: { token: "[redacted]" },
      logs: {
        lines: [{ message: '{"TOKEN":"[redacted]","SHORT":"abc"}' }, { message: "token: [redacted]" }],
      },
    });
    expect(JSON.stringify(tested.body)).not.toContain(TOKEN);

    const failed = await admin("POST", `/hooks/${fnId}/test`, { data: { fail: true } });
    expect(failed.body.error.message).toBe("the receiver refused [redacted]");
    expect(JSON.stringify(failed.body)).not.toContain(TOKEN);
  });

  it("redacts what /test answers for a callback whose receiver echoes the custom header", async () => {
    const tested = await admin("POST", `/hooks/${cbId}/test`, {});
    expect(tested.body).toMatchObject({
      outcome: "success",
      attemptId: null,
      response: { status: 200, body: '{"received":"[redacted]"}', headers: { "x-echo": "got [redacted]" } },
    });
    expect(JSON.stringify(tested.body)).not.toContain(API_KEY);
    // The receiver did get the real value: only the record is redacted.
    expect(receiver.requests.at(-1)?.headers["x-api-key"]).toBe(API_KEY);
  });

  it("redacts delivered attempts the worker records, for both kinds", async () => {
    const event = await api.request("POST", `/v1/workspaces/${acme.ws}/events`, {
      key: acme.ingest,
      body: { type: "verification", data: { fail: false } },
    });
    expect(event.status, JSON.stringify(event.body)).toBe(202);
    worker = testWorker(api);
    await worker.start();
    const byHook = async () => {
      const res = await asOperator(`/logs?eventId=${event.body.id}`);
      return new Map<string, string>(
        res.body.data.map((r: { hookId: string; id: string }) => [r.hookId, r.id]),
      );
    };
    await expect.poll(async () => (await byHook()).size).toBe(2);
    const attempts = await byHook();

    const callback = await logRecord(attempts.get(cbId) ?? "");
    expect(callback.response).toMatchObject({
      status: 200,
      body: '{"received":"[redacted]"}',
      headers: { "x-echo": "got [redacted]" },
    });
    expect(callback.request.headers["x-api-key"]).not.toContain(API_KEY);

    const fn = await logRecord(attempts.get(fnId) ?? "");
    expect(fn.result).toMatchObject({ token: "[redacted]" });
    expect(fn.logs.lines[1].message).toBe("token: [redacted]");
  });
});
