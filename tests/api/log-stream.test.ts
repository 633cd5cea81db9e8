// Protects the live tail: a new attempt arrives within a second (woken by NOTIFY, not the poll),
// Last-Event-ID resumes with only later attempts, filters and workspaces apply, heartbeats flow,
// and when clients go away the shared listener is released (on Postgres: its connection closes).
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HookKind } from "../../api/src/db/schema";
import { AttemptWriter } from "../../api/src/dispatch/attempt-writer";
import {
  callbackHook,
  functionHook,
  startTestApi,
  type TestApi,
  testWorker,
  type WorkspaceKeys,
} from "../support/app";
import { testDatabases } from "../support/db";
import { type LogsApp, logsApp } from "../support/logs-app";
import { startReceiver } from "../support/receiver";

interface Frame {
  event?: string;
  id?: string;
  data?: string;
  comment?: string;
}

/** Reads SSE frames off a streaming Response; `close()` is what a client going away does. */
class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = "";
  private pending: ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]> | null = null;

  constructor(res: Response) {
    if (!res.body) throw new Error("no body");
    this.reader = res.body.getReader();
  }

  async next(timeoutMs = 1_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end >= 0) {
        const raw = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        return parseFrame(raw);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no SSE frame within ${timeoutMs} ms`);
      this.pending ??= this.reader.read();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), left);
      });
      const result = await Promise.race([this.pending, timeout]);
      clearTimeout(timer);
      if (result === "timeout") continue;
      this.pending = null;
      if (result.done) throw new Error("stream ended");
      this.buffer += this.decoder.decode(result.value, { stream: true });
    }
  }

  /** The next attempt event, skipping heartbeats. */
  async attempt(timeoutMs = 1_000): Promise<{ id: string; summary: { id: string; outcome: string } }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = await this.next(Math.max(1, deadline - Date.now()));
      if (frame.event === "attempt" && frame.id && frame.data)
        return { id: frame.id, summary: JSON.parse(frame.data) };
    }
  }

  /** Asserts nothing but heartbeats arrives for `ms`. */
  async quiet(ms: number): Promise<void> {
    await expect(this.attempt(ms)).rejects.toThrow(/no SSE frame/);
  }

  close(): Promise<void> {
    return this.reader.cancel();
  }
}

function parseFrame(raw: string): Frame {
  const frame: Frame = {};
  for (const line of raw.split("\n")) {
    if (line.startsWith(":")) frame.comment = line.slice(1).trim();
    const match = /^(event|id|data): ?(.*)$/.exec(line);
    if (match?.[1] === "event") frame.event = match[2];
    if (match?.[1] === "id") frame.id = match[2];
    if (match?.[1] === "data")
      frame.data = frame.data === undefined ? match[2] : `${frame.data}\n${match[2]}`;
  }
  return frame;
}

describe.each(testDatabases)("log stream on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  let other: WorkspaceKeys;
  // The poll backstop is a minute away: anything arriving within a second came through NOTIFY.
  let logs: LogsApp;
  let cb: string;
  let fn: string;
  let otherHook: string;

  const tail = async (query = "", headers: Record<string, string> = {}, app = logs) => {
    const res = await app.fetch(`/v1/workspaces/${acme.ws}/logs/stream${query}`, acme.operator, headers);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    return new SseReader(res);
  };
  const attempt = (hookId: string, kind: HookKind, outcome = "success", ws = acme.ws) =>
    new AttemptWriter(api.db).write({
      subject: {
        workspaceId: ws,
        hookId,
        eventId: null,
        eventType: "verification",
        deliveryId: null,
        attempt: 1,
        trigger: "invoke",
      },
      record: { kind, outcome, startedAt: new Date(), durationMs: 5 },
    });
  const settled = async (check: () => boolean | Promise<boolean>, what: string) => {
    const until = Date.now() + 5_000;
    while (!(await check())) {
      if (Date.now() > until) throw new Error(`not settled: ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const listenSessions = async () => {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and query ilike 'LISTEN hookrun_attempts%'`.execute(api.db);
    return rows[0]?.n ?? 0;
  };

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
    other = await api.workspace("other");
    logs = logsApp(api, { pollMs: 60_000, heartbeatMs: 60_000 });
    const hook = async (keys: WorkspaceKeys, body: unknown) =>
      (await api.request("POST", `/v1/workspaces/${keys.ws}/hooks`, { key: keys.admin, body })).body
        .id as string;
    cb = await hook(acme, callbackHook());
    fn = await hook(acme, functionHook());
    otherHook = await hook(other, callbackHook());
  });
  afterAll(() => api.close());

  it("sends a new attempt within a second, and nothing from before it connected", async () => {
    await attempt(cb, "callback", "old");
    const reader = await tail();
    const started = Date.now();
    const id = await attempt(cb, "callback");
    const event = await reader.attempt(1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(event.summary).toMatchObject({
      id,
      hookId: cb,
      kind: "callback",
      outcome: "success",
      trigger: "invoke",
    });
    await reader.close();
  });

  it("tails what the dispatch worker records for a posted event", async () => {
    const receiver = await startReceiver();
    const worker = testWorker(api);
    await worker.start();
    try {
      const hook = await api.request("POST", `/v1/workspaces/${acme.ws}/hooks`, {
        key: acme.admin,
        body: callbackHook({ urls: [`${receiver.url}/hook`], events: ["manual_verification"] }),
      });
      const reader = await tail(`?hookId=${hook.body.id}`);
      const posted = await api.request("POST", `/v1/workspaces/${acme.ws}/events`, {
        key: acme.ingest,
        body: { type: "manual_verification", data: { sessionId: "s1" } },
      });
      await receiver.waitFor(1);
      const event = await reader.attempt(1_000);
      expect(event.summary).toMatchObject({
        hookId: hook.body.id,
        eventId: posted.body.id,
        deliveryId: posted.body.deliveries[0].id,
        outcome: "success",
        responseStatus: 200,
      });
      await reader.close();
      await api.request("DELETE", `/v1/workspaces/${acme.ws}/hooks/${hook.body.id}`, { key: acme.admin });
    } finally {
      await worker.stop();
      await receiver.close();
    }
  });

  it("catches up an attempt that committed late with an earlier timestamp", async () => {
    const sweeping = logsApp(api, { pollMs: 200, heartbeatMs: 60_000, lookbackMs: 5_000 });
    const reader = await tail("", {}, sweeping);
    await new Promise((r) => setTimeout(r, 600));
    const first = await attempt(cb, "callback");
    expect((await reader.attempt()).summary.id).toBe(first);
    // As if its transaction had started before `first` was written (but after the tail began) and
    // committed only now.
    const stamp = new Date(Date.now() - 300);
    await api.db
      .insertInto("attempts")
      .values({
        id: "att_late",
        workspace_id: acme.ws,
        hook_id: cb,
        kind: "callback",
        trigger: "delivery",
        attempt: 1,
        outcome: "success",
        started_at: stamp,
        duration_ms: 1,
        created_at: stamp,
      })
      .execute();
    expect((await reader.attempt(1_000)).summary.id).toBe("att_late");
    await reader.quiet(500);
    await reader.close();
  });

  it("resumes after Last-Event-ID (or ?after=) with only the attempts it missed", async () => {
    const reader = await tail();
    const first = await attempt(cb, "callback");
    const seen = await reader.attempt();
    expect(seen.summary.id).toBe(first);
    await reader.close();

    const missed = [await attempt(cb, "callback", "http_error"), await attempt(fn, "function")];
    const resumed = await tail("", { "last-event-id": seen.id });
    const again = [await resumed.attempt(), await resumed.attempt()];
    expect(again.map((e) => e.summary.id)).toEqual(missed);
    await resumed.quiet(300);
    await resumed.close();

    const viaQuery = await tail(`?after=${seen.id}&kind=function`);
    expect((await viaQuery.attempt()).summary.id).toBe(missed[1]);
    await viaQuery.close();
  });

  it("applies the filters and keeps workspaces apart", async () => {
    const reader = await tail("?kind=function&status=failed");
    await attempt(otherHook, "callback", "error", other.ws);
    await attempt(cb, "callback", "http_error");
    await attempt(fn, "function", "success");
    const wanted = await attempt(fn, "function", "timeout");
    expect((await reader.attempt()).summary).toMatchObject({ id: wanted, outcome: "timeout" });
    await reader.quiet(300);
    await reader.close();
  });

  it("sends heartbeats while quiet", async () => {
    const chatty = logsApp(api, { pollMs: 60_000, heartbeatMs: 100 });
    const reader = await tail("", {}, chatty);
    expect(await reader.next(1_000)).toEqual({ comment: "heartbeat" });
    expect(await reader.next(1_000)).toEqual({ comment: "heartbeat" });
    await reader.close();
    await settled(() => chatty.hub.subscriberCount === 0 && !chatty.hub.listening, "chatty hub released");
  });

  it("shares one listener between tails and releases it when the last client goes away", async () => {
    const app = logsApp(api, { pollMs: 60_000, heartbeatMs: 60_000 });
    const readers = [await tail("", {}, app), await tail("?kind=callback", {}, app), await tail("", {}, app)];
    await settled(() => app.hub.subscriberCount === 3 && app.hub.listening, "three subscribers");
    if (target.name === "postgres") expect(await listenSessions()).toBe(1 + (logs.hub.listening ? 1 : 0));

    await readers[0]?.close();
    await settled(() => app.hub.subscriberCount === 2, "one left");
    expect(app.hub.listening).toBe(true);
    // The others still get attempts.
    const id = await attempt(cb, "callback");
    expect((await readers[1]?.attempt())?.summary.id).toBe(id);

    await Promise.all(readers.slice(1).map((r) => r.close()));
    await settled(() => app.hub.subscriberCount === 0 && !app.hub.listening, "hub released");
    await settled(() => logs.hub.subscriberCount === 0 && !logs.hub.listening, "main hub released");
    if (target.name === "postgres")
      await settled(async () => (await listenSessions()) === 0, "LISTEN closed");
    expect(app.errors).toEqual([]);
    expect(logs.errors).toEqual([]);
  });

  it("ends a tail within a sweep once its key is revoked", async () => {
    const swept = logsApp(api, { pollMs: 100, heartbeatMs: 60_000 });
    const created = await api.request("POST", `/v1/workspaces/${acme.ws}/keys`, {
      key: acme.admin,
      body: { name: "short-lived", role: "operator" },
    });
    expect(created.status).toBe(201);
    const res = await swept.fetch(`/v1/workspaces/${acme.ws}/logs/stream`, created.body.key);
    expect(res.status).toBe(200);
    const reader = new SseReader(res);
    const before = await attempt(cb, "callback");
    expect((await reader.attempt())?.summary.id).toBe(before);

    const revoked = await api.request("DELETE", `/v1/workspaces/${acme.ws}/keys/${created.body.id}`, {
      key: acme.admin,
    });
    expect(revoked.status).toBe(200);
    await expect(reader.attempt(2_000)).rejects.toThrow("stream ended");
    await settled(() => swept.hub.subscriberCount === 0, "revoked tail left the hub");
    expect(swept.errors).toEqual([]);
  });

  it("refuses an invalid resume position and keys without access", async () => {
    const bad = await logs.fetch(`/v1/workspaces/${acme.ws}/logs/stream`, acme.operator, {
      "last-event-id": "nope",
    });
    expect(bad.status).toBe(422);
    const ingest = await logs.fetch(`/v1/workspaces/${acme.ws}/logs/stream`, acme.ingest);
    expect(ingest.status).toBe(403);
    expect(logs.hub.subscriberCount).toBe(0);
  });
});
