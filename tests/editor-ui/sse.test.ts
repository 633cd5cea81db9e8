// Protects the editor's Server-Sent Events client (editor-ui/src/api/sse.ts): the parser reads the
// event-stream format exactly (ids, event names, multi-line data, comments, CRLF/CR/LF, a BOM, and
// any split of the text into chunks), and `subscribe` sends the key, reconnects with backoff after
// drops, server errors and silence, resumes after the last event id, gives up on a refusal, and
// stops cleanly when aborted.
import { describe, expect, it } from "vitest";
import {
  type SseEvent,
  type SseItem,
  SseParser,
  type StreamState,
  subscribe,
} from "../../editor-ui/src/api/sse";

const parse = (...chunks: string[]): SseItem[] => {
  const parser = new SseParser();
  return chunks.flatMap((c) => parser.feed(c));
};
const events = (items: SseItem[]) => items.filter((i) => i.kind === "event");

describe("SseParser", () => {
  it("reads id, event name and data, and defaults the name to message", () => {
    expect(parse('id: 1\nevent: attempt\ndata: {"a":1}\n\ndata: plain\n\n')).toEqual([
      { kind: "event", id: "1", event: "attempt", data: '{"a":1}' },
      { kind: "event", id: "1", event: "message", data: "plain" },
    ]);
  });

  it("joins data lines with newlines and keeps empty data lines", () => {
    expect(events(parse("data: first\ndata:\ndata:  third\n\n"))).toEqual([
      { kind: "event", id: "", event: "message", data: "first\n\n third" },
    ]);
  });

  it("removes exactly one space after the colon, and takes a line without colon as a field name", () => {
    expect(events(parse("data:no-space\n\ndata\n\n"))).toEqual([
      { kind: "event", id: "", event: "message", data: "no-space" },
      { kind: "event", id: "", event: "message", data: "" },
    ]);
  });

  it("reports comments (heartbeats) without dispatching anything", () => {
    expect(parse(": heartbeat\n\n:\n\n")).toEqual([
      { kind: "comment", text: "heartbeat" },
      { kind: "comment", text: "" },
    ]);
  });

  it("does not dispatch an event without data, and resets its name", () => {
    expect(events(parse("event: attempt\nid: 7\n\ndata: x\n\n"))).toEqual([
      { kind: "event", id: "7", event: "message", data: "x" },
    ]);
  });

  it("keeps the last id across events, clears it with an empty id, and ignores ids holding NUL", () => {
    const parser = new SseParser();
    const out = parser.feed("id: a\ndata: 1\n\ndata: 2\n\nid: b\u0000c\ndata: 3\n\nid\ndata: 4\n\n");
    expect(events(out).map((e) => (e.kind === "event" ? e.id : null))).toEqual(["a", "a", "a", ""]);
    expect(parser.lastEventId).toBe("");
  });

  it("takes retry only as ASCII digits and ignores unknown fields", () => {
    expect(parse("retry: 2500\nretry: 1e3\nretry: -1\nfoo: bar\ndata: x\n\n")).toEqual([
      { kind: "retry", ms: 2500 },
      { kind: "event", id: "", event: "message", data: "x" },
    ]);
  });

  it("accepts CRLF, CR and LF line ends, mixed", () => {
    expect(events(parse("id: 1\r\ndata: a\r\n\r\ndata: b\r\rdata: c\n\r"))).toEqual([
      { kind: "event", id: "1", event: "message", data: "a" },
      { kind: "event", id: "1", event: "message", data: "b" },
      { kind: "event", id: "1", event: "message", data: "c" },
    ]);
  });

  it("treats a CR at the end of one chunk and a LF at the start of the next as one line end", () => {
    expect(events(parse("data: a\r", "\n", "\r", "\ndata: b\r\n\r\n"))).toEqual([
      { kind: "event", id: "", event: "message", data: "a" },
      { kind: "event", id: "", event: "message", data: "b" },
    ]);
  });

  it("drops one leading BOM, only at the start of the stream", () => {
    expect(events(parse("\uFEFF", "data: x\n\n"))).toEqual([
      { kind: "event", id: "", event: "message", data: "x" },
    ]);
    // Later, U+FEFF is just part of the field name ("\uFEFFdata" is unknown, so no event).
    expect(events(parse("data: x\n\n", "\uFEFFdata: y\n\n"))).toHaveLength(1);
  });

  it("keeps an unfinished event until its blank line arrives, and reset() forgets it and its id", () => {
    const parser = new SseParser();
    expect(parser.feed("id: 8\n\nid: 9\ndata: half")).toEqual([]);
    expect(parser.lastEventId).toBe("8");
    parser.reset();
    expect(parser.feed("data: fresh\n\n")).toEqual([
      { kind: "event", id: "8", event: "message", data: "fresh" },
    ]);
  });

  it("gives the same items however the stream is split into chunks", () => {
    const stream =
      '\uFEFF: hello\r\nid: eyJhIjoxfQ\r\nevent: attempt\r\ndata: {"id":"att_1",\r\ndata: "x":"é"}\r\n\r\n' +
      ": heartbeat\n\nretry: 100\rid: 2\rdata: two\r\rdata:three\n\n";
    const whole = parse(stream);
    expect(events(whole)).toHaveLength(3);
    for (let i = 0; i <= stream.length; i++) {
      expect(parse(stream.slice(0, i), stream.slice(i))).toEqual(whole);
      for (let j = i; j <= stream.length; j += 3) {
        expect(parse(stream.slice(0, i), stream.slice(i, j), stream.slice(j))).toEqual(whole);
      }
    }
    expect(parse(...stream.split(""))).toEqual(whole);
  });
});

/** A fake server: each fetch gets the next scripted answer; the test pushes text into open streams. */
function fakeServer() {
  const calls: { url: string; headers: Record<string, string>; signal: AbortSignal }[] = [];
  const streams: { push(text: string | Uint8Array): void; end(): void }[] = [];
  const answers: (() => Response)[] = [];
  const waiting: ((n: number) => void)[] = [];
  const fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const signal = init?.signal ?? new AbortController().signal;
    calls.push({ url: String(url), headers: init?.headers as Record<string, string>, signal });
    for (const w of waiting.splice(0)) w(calls.length);
    const answer = answers.shift();
    if (answer) return answer();
    // Default: an open stream the test writes into.
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
    });
    signal.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
    const encoder = new TextEncoder();
    streams.push({
      push: (text) => controller.enqueue(typeof text === "string" ? encoder.encode(text) : text),
      end: () => controller.close(),
    });
    return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
  };
  return {
    fetch: fetch as typeof globalThis.fetch,
    calls,
    streams,
    answers,
    /** Resolves once `n` connections were made. */
    connections(n: number): Promise<void> {
      return new Promise((resolve) => {
        if (calls.length >= n) resolve();
        else
          waiting.push(function check(count) {
            if (count >= n) resolve();
            else waiting.push(check);
          });
      });
    },
  };
}

const until = async (check: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
};

function run(server: ReturnType<typeof fakeServer>, extra: Partial<Parameters<typeof subscribe>[3]> = {}) {
  const abort = new AbortController();
  const received: SseEvent[] = [];
  const states: StreamState[] = [];
  const sleeps: number[] = [];
  const done = subscribe(
    "http://svc/v1/workspaces/ws_1/logs/stream?kind=callback",
    "hr_key",
    (e) => received.push(e),
    {
      signal: abort.signal,
      fetch: server.fetch,
      onState: (s) => states.push(s),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      ...extra,
    },
  );
  return { abort, received, states, sleeps, done };
}

describe("subscribe", () => {
  it("sends the key, delivers events, and resolves when aborted, closing the connection", async () => {
    const server = fakeServer();
    const tail = run(server);
    await server.connections(1);
    expect(server.calls[0]).toMatchObject({
      url: "http://svc/v1/workspaces/ws_1/logs/stream?kind=callback",
      headers: { authorization: "Bearer hr_key", accept: "text/event-stream" },
    });
    expect(server.calls[0]?.headers["last-event-id"]).toBeUndefined();
    await until(() => tail.states.some((s) => s.state === "live"));
    server.streams[0]?.push('id: c1\nevent: attempt\ndata: {"id":"att_1"}\n\n: heartbeat\n\n');
    await until(() => tail.received.length === 1);
    expect(tail.received).toEqual([{ id: "c1", event: "attempt", data: '{"id":"att_1"}' }]);
    tail.abort.abort();
    await expect(tail.done).resolves.toBeUndefined();
    expect(server.calls[0]?.signal.aborted).toBe(true);
    expect(tail.states.map((s) => s.state)).toEqual(["connecting", "live"]);
  });

  it("reconnects after a drop and resumes after the last event id", async () => {
    const server = fakeServer();
    const tail = run(server);
    await server.connections(1);
    await until(() => server.streams.length === 1);
    server.streams[0]?.push("id: c1\ndata: one\n\nid: c2\ndata: two\n\nid: c3\ndata: half-sent");
    server.streams[0]?.end();
    await server.connections(2);
    expect(server.calls[1]?.headers["last-event-id"]).toBe("c2");
    await until(() => server.streams.length === 2);
    server.streams[1]?.push("id: c3\ndata: three\n\n");
    await until(() => tail.received.length === 3);
    expect(tail.received.map((e) => e.data)).toEqual(["one", "two", "three"]);
    expect(tail.states.find((s) => s.state === "reconnecting")).toMatchObject({ inMs: 1_000, attempt: 1 });
    tail.abort.abort();
    await tail.done;
  });

  it("backs off exponentially while the server fails, and honours the server's retry field", async () => {
    const server = fakeServer();
    const failing = () => new Response("down", { status: 503 });
    server.answers.push(failing, failing, failing);
    const tail = run(server, { maxDelayMs: 3_000 });
    await server.connections(4);
    await until(() => server.streams.length === 1);
    expect(tail.sleeps).toEqual([1_000, 2_000, 3_000]);
    // A stream that said something resets the backoff; its retry: replaces the first delay.
    server.streams[0]?.push("retry: 200\n: hi\n\n");
    server.streams[0]?.end();
    await server.connections(5);
    expect(tail.sleeps.at(-1)).toBe(200);
    tail.abort.abort();
    await tail.done;
  });

  it("gives up with StreamRefused on a 4xx answer, carrying the caller's error", async () => {
    const server = fakeServer();
    server.answers.push(() => new Response('{"error":{"message":"forbidden"}}', { status: 403 }));
    const tail = run(server, {
      toError: async (res) => new Error(`mapped ${res.status}: ${await res.text()}`),
    });
    const error = await tail.done.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      name: "Error",
      status: 403,
      message: 'mapped 403: {"error":{"message":"forbidden"}}',
    });
    expect(server.calls).toHaveLength(1);
  });

  it("retries 429 and network errors rather than giving up", async () => {
    const server = fakeServer();
    server.answers.push(
      () => new Response("slow down", { status: 429 }),
      () => {
        throw new TypeError("fetch failed");
      },
    );
    const tail = run(server);
    await server.connections(3);
    const reasons = tail.states.filter((s) => s.state === "reconnecting");
    expect(reasons).toHaveLength(2);
    expect(String((reasons[1] as { reason: unknown }).reason)).toContain("fetch failed");
    tail.abort.abort();
    await tail.done;
  });

  it("refuses an answer that is not an event stream", async () => {
    const server = fakeServer();
    server.answers.push(
      () => new Response("<html>", { status: 200, headers: { "content-type": "text/html" } }),
    );
    await expect(run(server).done).rejects.toThrow("text/html");
  });

  it("resumes from the id it was given on the first connection", async () => {
    const server = fakeServer();
    const tail = run(server, { lastEventId: "from-before" });
    await server.connections(1);
    expect(server.calls[0]?.headers["last-event-id"]).toBe("from-before");
    tail.abort.abort();
    await tail.done;
  });

  it("decodes UTF-8 characters split across chunks", async () => {
    const server = fakeServer();
    const tail = run(server);
    await until(() => server.streams.length === 1);
    const bytes = new TextEncoder().encode("data: héllo ✓\n\n");
    for (const byte of bytes) server.streams[0]?.push(new Uint8Array([byte]));
    await until(() => tail.received.length === 1);
    expect(tail.received[0]?.data).toBe("héllo ✓");
    tail.abort.abort();
    await tail.done;
  });

  it("reopens a connection that stays silent past the idle timeout", async () => {
    const server = fakeServer();
    const tail = run(server, { idleTimeoutMs: 50 });
    await server.connections(2);
    expect(server.calls[0]?.signal.aborted).toBe(true);
    const reconnecting = tail.states.find((s) => s.state === "reconnecting") as { reason: unknown };
    expect(String(reconnecting.reason)).toContain("silent for 50 ms");
    tail.abort.abort();
    await tail.done;
  });

  it("stops during the wait between connections when aborted", async () => {
    const server = fakeServer();
    server.answers.push(() => new Response("down", { status: 502 }));
    const abort = new AbortController();
    const done = subscribe("http://svc/stream", "k", () => {}, {
      signal: abort.signal,
      fetch: server.fetch,
      initialDelayMs: 60_000,
      onState: (s) => {
        if (s.state === "reconnecting") setTimeout(() => abort.abort(), 20);
      },
    });
    const started = Date.now();
    await expect(done).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.calls).toHaveLength(1);
  });
});
