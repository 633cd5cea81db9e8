// Server-Sent Events over fetch: EventSource cannot send the Authorization header, so the stream is
// read from a fetch response. Two parts: a pure streaming parser (text in, events out, however the
// text was cut into chunks) and `subscribe`, which keeps one stream open, reconnecting with backoff
// after a drop and resuming after the last event id, until its signal aborts.
//
// This module depends on nothing in the editor (no DOM globals beyond fetch), so it runs under the
// unit tests in Node as it runs in the browser.

/** One dispatched event. `id` is the stream's last event id when it was dispatched ("" if none yet). */
export interface SseEvent {
  id: string;
  event: string;
  data: string;
}

export type SseItem =
  | ({ kind: "event" } & SseEvent)
  | { kind: "comment"; text: string }
  | { kind: "retry"; ms: number };

/**
 * The event-stream format (HTML Living Standard, "Parsing an event stream"): lines end in CRLF, LF or
 * CR; a blank line dispatches; `:` starts a comment; `field: value` with one optional space after the
 * colon; `data` lines join with "\n"; `id` persists across events (and is ignored if it holds NUL);
 * `retry` takes ASCII digits only; unknown fields are ignored; a leading BOM is dropped.
 */
export class SseParser {
  /** The id as of the last blank line: what a reconnect sends as Last-Event-ID. */
  lastEventId = "";
  /** The id read so far for the event being received; committed at its blank line. */
  private idBuffer = "";
  private buffer = "";
  private pendingCR = false;
  private started = false;
  private data: string[] = [];
  private hasData = false;
  private eventType = "";

  /** Feeds the next piece of decoded text; returns what it completed, in order. */
  feed(chunk: string): SseItem[] {
    if (chunk === "") return [];
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // A CR that ended the previous chunk already ended its line; a LF right after it is the same break.
    if (this.pendingCR) {
      this.pendingCR = false;
      if (text.startsWith("\n")) text = text.slice(1);
    }
    const items: SseItem[] = [];
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buffer.slice(start, i), items);
      if (c === 13) {
        if (i + 1 === this.buffer.length) this.pendingCR = true;
        else if (this.buffer.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return items;
  }

  /** Forgets a half-received event and line (the connection dropped); keeps lastEventId. */
  reset(): void {
    this.idBuffer = this.lastEventId;
    this.buffer = "";
    this.pendingCR = false;
    this.started = false;
    this.data = [];
    this.hasData = false;
    this.eventType = "";
  }

  private line(line: string, items: SseItem[]): void {
    if (line === "") {
      this.dispatch(items);
      return;
    }
    if (line.startsWith(":")) {
      items.push({ kind: "comment", text: line.slice(1).replace(/^ /, "") });
      return;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.eventType = value;
        break;
      case "data":
        this.data.push(value);
        this.hasData = true;
        break;
      case "id":
        if (!value.includes("\u0000")) this.idBuffer = value;
        break;
      case "retry":
        if (/^[0-9]+$/.test(value)) items.push({ kind: "retry", ms: Number.parseInt(value, 10) });
        break;
      default:
        break;
    }
  }

  private dispatch(items: SseItem[]): void {
    // The id is committed at every blank line, with or without data (as EventSource does).
    this.lastEventId = this.idBuffer;
    const { hasData, data, eventType } = this;
    this.data = [];
    this.hasData = false;
    this.eventType = "";
    if (!hasData) return;
    items.push({ kind: "event", id: this.lastEventId, event: eventType || "message", data: data.join("\n") });
  }
}

export type StreamState =
  /** Connecting for the first time. */
  | { state: "connecting" }
  /** The server answered; events arrive as they happen. */
  | { state: "live" }
  /** The connection dropped (or the server failed); the next try is in `inMs`. */
  | { state: "reconnecting"; inMs: number; attempt: number; reason: unknown };

export interface SubscribeOptions {
  /** Aborting it closes the stream for good; `subscribe` then resolves. */
  signal: AbortSignal;
  onState?(state: StreamState): void;
  /** Comments (the server's heartbeats), for the curious; the watchdog counts them on its own. */
  onComment?(text: string): void;
  /** Resume after this id on the first connection too (later ones resume after the last event). */
  lastEventId?: string;
  /** The error for an answer that is not a stream (default: an Error naming the status). */
  toError?(response: Response): Promise<unknown>;
  /** First reconnect delay; doubles on each failure up to maxDelayMs (a server `retry:` replaces it). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A connection silent this long (not even a heartbeat) is taken as dead and reopened. */
  idleTimeoutMs?: number;
  fetch?: typeof fetch;
  /** For tests: how to wait between connections (default setTimeout, cut short by the signal). */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  random?(): number;
}

/** An answer the stream cannot recover from by asking again (bad key, forbidden, bad filter…). */
export class StreamRefused extends Error {
  constructor(
    readonly status: number,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : `the stream was refused with ${status}`, { cause });
  }
}

const RETRYABLE = new Set([408, 425, 429]);

/**
 * Opens the stream at `url` with the key as a bearer token and calls `onEvent` for each event, until
 * `signal` aborts (resolves) or the server refuses it with a 4xx (rejects with StreamRefused). Drops,
 * network errors, 5xx answers and silence past `idleTimeoutMs` reconnect with exponential backoff and
 * jitter, sending the last event id as Last-Event-ID so nothing is missed or repeated.
 */
export async function subscribe(
  url: string | URL,
  key: string,
  onEvent: (event: SseEvent) => void,
  options: SubscribeOptions,
): Promise<void> {
  const { signal } = options;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const idleTimeout = options.idleTimeoutMs ?? 45_000;
  let baseDelay = options.initialDelayMs ?? 1_000;
  const parser = new SseParser();
  parser.lastEventId = options.lastEventId ?? "";
  parser.reset();
  let failures = 0;
  let firstConnection = true;

  while (!signal.aborted) {
    if (firstConnection) options.onState?.({ state: "connecting" });
    firstConnection = false;
    let reason: unknown;
    try {
      const gotData = await connect();
      if (signal.aborted) return;
      if (gotData) failures = 0;
      reason = new Error("the stream ended");
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof StreamRefused) throw error;
      reason = error;
    }
    failures++;
    const delay = Math.min(maxDelay, baseDelay * 2 ** (failures - 1));
    // ±20% jitter, so many tabs do not come back in step after a server restart.
    const inMs = Math.round(delay * (0.8 + 0.4 * random()));
    options.onState?.({ state: "reconnecting", inMs, attempt: failures, reason });
    await sleep(inMs, signal);
  }

  /** One connection; true when at least one event or comment arrived on it. */
  async function connect(): Promise<boolean> {
    const connection = new AbortController();
    const stop = () => connection.abort();
    signal.addEventListener("abort", stop, { once: true });
    let idle: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    const armWatchdog = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        timedOut = true;
        connection.abort();
      }, idleTimeout);
    };
    let received = false;
    try {
      const headers: Record<string, string> = {
        authorization: `Bearer ${key}`,
        accept: "text/event-stream",
      };
      if (parser.lastEventId) headers["last-event-id"] = parser.lastEventId;
      armWatchdog();
      const response = await doFetch(String(url), { headers, signal: connection.signal });
      if (!response.ok) {
        const cause = options.toError
          ? await options.toError(response)
          : new Error(`the stream answered ${response.status}`);
        if (response.status >= 400 && response.status < 500 && !RETRYABLE.has(response.status))
          throw new StreamRefused(response.status, cause);
        throw cause;
      }
      if (!response.body) throw new Error("the stream answered without a body");
      const type = response.headers.get("content-type") ?? "";
      if (!type.startsWith("text/event-stream")) {
        await response.body.cancel().catch(() => undefined);
        throw new StreamRefused(
          response.status,
          new Error(`the stream answered ${type || "no content type"}`),
        );
      }
      options.onState?.({ state: "live" });
      parser.reset();
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        armWatchdog();
        for (const item of parser.feed(decoder.decode(value, { stream: true }))) {
          if (signal.aborted) return received;
          received = true;
          if (item.kind === "event") onEvent({ id: item.id, event: item.event, data: item.data });
          else if (item.kind === "comment") options.onComment?.(item.text);
          else baseDelay = item.ms;
        }
      }
      return received;
    } catch (error) {
      if (timedOut && !signal.aborted) throw new Error(`the stream was silent for ${idleTimeout} ms`);
      throw error;
    } finally {
      clearTimeout(idle);
      signal.removeEventListener("abort", stop);
      connection.abort();
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
