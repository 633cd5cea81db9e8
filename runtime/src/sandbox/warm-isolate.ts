// Creating an isolate ready for user code: a fresh context with the prelude installed and its host
// bindings wired. The prelude is compiled from a V8 code cache after the first time, and one spare
// isolate per memory size is prepared in the background, so a cold start only has to compile and
// run the customer's own script.
import ivm from "isolated-vm";
import {
  appendLog,
  cancelTimer,
  digest,
  type FetchPort,
  forwardFetch,
  hmac,
  type Invocation,
  parseUrl,
  random,
  startTimer,
} from "./host-bindings";
import { PRELUDE_FILENAME, preludeSource } from "./prelude";

export type WarmIsolate = {
  isolate: ivm.Isolate;
  context: ivm.Context;
  invoke: ivm.Reference<(event: string, ctx: string) => Promise<unknown>>;
  memoryMb: number;
  /** Bindings read the running invocation through this holder. */
  slot: { inv: Invocation };
};

export type IsolateEvents = { fatal(reason: string, invocationId?: number): void; fetch: FetchPort };

// V8 code cache of the prelude, produced by the first isolate: later isolates skip parsing it.
let preludeCache: ivm.ExternalCopy<ArrayBuffer> | undefined;
const spares = new Map<number, WarmIsolate>();
const wanted = new Set<number>();

export function idleInvocation(): Invocation {
  return {
    id: 0,
    deadline: 0,
    ended: true,
    logs: [],
    logBytes: 0,
    logsTruncated: false,
    timers: new Map(),
    pendingFetches: 0,
    hostMs: 0,
  };
}

function compilePrelude(isolate: ivm.Isolate): ivm.Script {
  const script = isolate.compileScriptSync(preludeSource(), {
    filename: PRELUDE_FILENAME,
    ...(preludeCache ? { cachedData: preludeCache } : { produceCachedData: true }),
  });
  const produced = (script as { cachedData?: ivm.ExternalCopy<ArrayBuffer> }).cachedData;
  if (!preludeCache && produced) preludeCache = produced;
  return script;
}

function createWarm(memoryMb: number, events: IsolateEvents): WarmIsolate {
  const slot = { inv: idleInvocation() };
  const isolate = new ivm.Isolate({
    memoryLimit: memoryMb,
    // V8 lost control of this isolate: the executor process must not go on (see isolated-vm's README).
    // The invocation running in it (0 when idle) is the one to blame.
    onCatastrophicError: (message) => events.fatal(message, slot.inv.id || undefined),
  });
  const context = isolate.createContextSync();
  const setup = compilePrelude(isolate).runSync(context, { reference: true }) as ivm.Reference<
    (...args: unknown[]) => unknown
  >;
  // Synchronous host work is done on the executor's thread for the running invocation: it is
  // timed and billed to that invocation's CPU budget (isolated-vm's cpuTime does not include it).
  const cb = <A extends unknown[], R>(fn: (...args: A) => R) =>
    new ivm.Callback((...args: A) => {
      const started = performance.now();
      try {
        return fn(...args);
      } finally {
        slot.inv.hostMs += performance.now() - started;
      }
    });
  // Positional arguments, so the bindings land in the prelude's closure and never on the global.
  const invoke = setup.applySync(
    undefined,
    [
      cb((level: unknown, message: unknown) => appendLog(slot.inv, level, message)),
      cb(random),
      cb(digest),
      cb(hmac),
      cb(parseUrl),
      cb((id: unknown) => cancelTimer(slot.inv, id)),
      new ivm.Reference((id: unknown, ms: unknown) => startTimer(slot.inv, id, ms)),
      new ivm.Reference((req: unknown) => forwardFetch(slot.inv, events.fetch, req)),
    ],
    { result: { reference: true } },
  ) as WarmIsolate["invoke"];
  setup.release();
  return { isolate, context, invoke, memoryMb, slot };
}

/**
 * Prepares the spares that takeWarm used up. The executor calls this after sending a reply, so
 * building an isolate never delays an answer.
 */
export function refillSpares(events: IsolateEvents): void {
  for (const memoryMb of wanted) {
    if (!spares.has(memoryMb)) spares.set(memoryMb, createWarm(memoryMb, events));
  }
  wanted.clear();
}

/** A fresh isolate with the prelude installed; taken from the spare when one of this size waits. */
export function takeWarm(memoryMb: number, events: IsolateEvents): WarmIsolate {
  const spare = spares.get(memoryMb);
  spares.delete(memoryMb);
  wanted.add(memoryMb);
  if (spare && !spare.isolate.isDisposed) return spare;
  return createWarm(memoryMb, events);
}
