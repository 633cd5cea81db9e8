// One function version inside an executor: its code, its warm isolate, and the serial queue of its
// invocations (one at a time, so CPU time, console lines and limits belong to one invocation).
// Runs only in executor processes: a limit hit disposes the isolate here; a catastrophic V8 error
// takes the whole executor down, which the runtime in the parent survives.
import type { TraceMap } from "@jridgewell/trace-mapping";
import { MODULE_GLOBAL, SCRIPT_FILENAME } from "../script-names";
import type { Invocation } from "./host-bindings";
import { CAPS, type Limits } from "./limits";
import type { InvokeReply } from "./prelude-core";
import type { ExecutorOutcome, RunError, RunStatus } from "./protocol";
import { lazyTraceMap, mapStack } from "./stack";
import { type IsolateEvents, idleInvocation, takeWarm, type WarmIsolate as Warm } from "./warm-isolate";

export type Job = { id: number; eventJson: string; ctxJson: string; limits: Limits };

type Reply = InvokeReply;

/** Why we disposed an isolate mid-run; undefined when something else ended it. */
type Kill = "timeout" | "cpu_limit" | undefined;

/** How long a disposed isolate may take to let go of its run before the executor gives up. */
const DISPOSE_GRACE_MS = 2000;

export class VersionSandbox {
  private warm: Warm | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly traceMap: () => TraceMap;

  constructor(
    readonly code: string,
    sourceMap: string,
    private readonly events: IsolateEvents,
  ) {
    this.traceMap = lazyTraceMap(sourceMap);
  }

  /** Runs jobs one after another on this version's isolate. */
  run(job: Job): Promise<ExecutorOutcome> {
    const next = this.queue.then(() => this.execute(job));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Disposes the isolate once queued work is done (eviction from the pool). */
  retire(): void {
    this.queue = this.queue.then(() => this.discard());
  }

  private discard(): void {
    const warm = this.warm;
    this.warm = undefined;
    if (warm && !warm.isolate.isDisposed) warm.isolate.dispose();
  }

  /** The version's isolate, or a fresh one (true) whose module has yet to be loaded. */
  private currentWarm(limits: Limits): [Warm, boolean] {
    if (this.warm && !this.warm.isolate.isDisposed && this.warm.memoryMb === limits.memoryMb) {
      return [this.warm, false];
    }
    this.discard();
    this.warm = takeWarm(limits.memoryMb, this.events);
    return [this.warm, true];
  }

  /** Runs the module's top level, within the first invocation's deadline. */
  private async loadModule(warm: Warm, deadline: number): Promise<void> {
    // The line the wrapper adds before the code is hidden from stacks by lineOffset.
    const script = await warm.isolate.compileScript(wrapModule(this.code), {
      filename: SCRIPT_FILENAME,
      lineOffset: -1,
    });
    await script.run(warm.context, { timeout: Math.max(1, deadline - Date.now()) });
    script.release();
  }

  private async execute(job: Job): Promise<ExecutorOutcome> {
    const started = performance.now();
    const deadline = Date.now() + job.limits.timeoutMs;
    const inv: Invocation = { ...idleInvocation(), id: job.id, deadline, ended: false };
    let warm: Warm | undefined;
    let kill: Kill;
    let cpuBase = 0n;
    let cpuTimer: NodeJS.Timeout | undefined;
    const settled = { done: false };
    let cpuAtStop: bigint | undefined;
    const stop = (why: Kill) => {
      kill ??= why;
      if (warm && !warm.isolate.isDisposed) {
        cpuAtStop = warm.isolate.cpuTime; // unreadable once disposed
        warm.isolate.dispose();
      }
      this.watchDisposal(settled);
    };
    const wallTimer = setTimeout(() => stop("timeout"), job.limits.timeoutMs);
    // CPU can only grow as fast as wall time, so check when the budget could first be spent.
    const checkCpu = (budgetLeftMs: number) => {
      cpuTimer = setTimeout(
        () => {
          if (!warm || warm.isolate.isDisposed) return;
          const used = Number(warm.isolate.cpuTime - cpuBase) / 1e6 + inv.hostMs;
          if (used >= job.limits.cpuMs) stop("cpu_limit");
          else checkCpu(job.limits.cpuMs - used);
        },
        Math.max(1, budgetLeftMs),
      );
    };
    let reply: Reply | undefined;
    let failure: unknown;
    try {
      const [current, fresh] = this.currentWarm(job.limits);
      warm = current;
      // A spare isolate already spent CPU on the prelude; only this invocation's time counts.
      cpuBase = warm.isolate.cpuTime;
      warm.slot.inv = inv;
      checkCpu(job.limits.cpuMs);
      if (fresh) await this.loadModule(warm, deadline);
      reply = (await warm.invoke.apply(undefined, [job.eventJson, job.ctxJson], {
        arguments: { copy: true },
        result: { promise: true, copy: true },
        timeout: Math.max(1, deadline - Date.now()),
      })) as Reply;
    } catch (err) {
      failure = err;
    } finally {
      settled.done = true;
      clearTimeout(wallTimer);
      clearTimeout(cpuTimer);
      inv.ended = true;
      // An idle isolate blames nobody if V8 fails in it later.
      if (warm) warm.slot.inv = idleInvocation();
    }
    const cpuUsed = cpuAtStop ?? (warm && !warm.isolate.isDisposed ? warm.isolate.cpuTime : cpuBase);
    const cpuMs = Number(cpuUsed - cpuBase) / 1e6 + inv.hostMs;
    return this.finish(inv, warm, { reply, failure, kill, cpuMs, started });
  }

  /** If a disposed isolate does not let go of its run, the executor is beyond saving. */
  private watchDisposal(settled: { done: boolean }): void {
    setTimeout(() => {
      if (!settled.done) this.events.fatal("isolate did not stop after dispose");
    }, DISPOSE_GRACE_MS).unref();
  }

  private finish(
    inv: Invocation,
    warm: Warm | undefined,
    r: { reply: Reply | undefined; failure: unknown; kill: Kill; cpuMs: number; started: number },
  ): ExecutorOutcome {
    for (const t of inv.timers.values()) clearTimeout(t.handle);
    const leftWork = inv.timers.size > 0 || inv.pendingFetches > 0 || (r.reply?.pending ?? 0) > 0;
    const { status, error } = classify(r.reply, r.failure, r.kill, warm);
    let heapBytes = 0;
    let footprint = 0;
    if (warm && !warm.isolate.isDisposed) {
      const heap = warm.isolate.getHeapStatisticsSync();
      heapBytes = heap.used_heap_size;
      footprint = heap.total_heap_size + heap.externally_allocated_size;
    }
    // An isolate that hit a limit, or left timers/fetches behind that would resume user code
    // outside any deadline, is thrown away.
    // A module whose top level failed is retried on a fresh isolate next time, too.
    const limitHit = status !== "ok" && status !== "error";
    const discarded =
      limitHit ||
      leftWork ||
      r.reply?.loadFailed === true ||
      r.failure !== undefined ||
      !warm ||
      warm.isolate.isDisposed;
    if (discarded) this.discard();
    if (error?.stack) error.stack = mapStack(error.stack, this.traceMap());
    const ok = r.reply?.ok === true ? r.reply : undefined;
    // The prelude caps the result; measured again here, where user code cannot interfere.
    if (ok?.json !== undefined && Buffer.byteLength(ok.json) > CAPS.resultBytes) {
      ok.json = undefined;
      ok.truncated = true;
    }
    return {
      status,
      ...(ok?.json !== undefined ? { resultJson: ok.json } : {}),
      ...(ok?.truncated ? { resultTruncated: true } : {}),
      logs: inv.logs,
      logsTruncated: inv.logsTruncated,
      ...(error ? { error } : {}),
      wallMs: performance.now() - r.started,
      cpuMs: r.cpuMs,
      heapBytes,
      footprintBytes: footprint,
      discarded,
    };
  }
}

/**
 * What the module's top level throws stays in the isolate, where the prelude describes it within
 * caps; thrown out of script.run, isolated-vm would copy it whole (a 40 MB message, say).
 */
function wrapModule(code: string): string {
  // esbuild keeps a hashbang (not valid inside a block) and a "use strict" prologue (which must
  // stay a directive, so it moves before the try). Blanked in place: lines and columns keep.
  const hashbang = /^#!.*\n?/.exec(code)?.[0] ?? "";
  const body = code.slice(hashbang.length);
  const directive = /^(["'])use strict\1;?/.exec(body)?.[0] ?? "";
  const rest = hashbang.replace(/./g, " ") + " ".repeat(directive.length) + body.slice(directive.length);
  return `${directive}try {\n${rest}\n} catch (e) { ${MODULE_GLOBAL} = [e]; }`;
}

// Caps on error parts as they leave the executor, whatever produced them (the prelude caps too).
const ERROR_CAPS = { name: 256, message: 4096, stack: 16_384 } as const;
const str = (v: unknown, fallback: string, cap: number) =>
  (typeof v === "string" ? v : fallback).slice(0, cap);

function capped(e: { name?: unknown; message?: unknown; stack?: unknown } | undefined): RunError {
  const out: RunError = {
    name: str(e?.name, "Error", ERROR_CAPS.name),
    message: str(e?.message, "", ERROR_CAPS.message),
  };
  if (typeof e?.stack === "string") out.stack = e.stack.slice(0, ERROR_CAPS.stack);
  return out;
}

/** Turns how a run ended into the documented outcome. */
function classify(
  reply: Reply | undefined,
  failure: unknown,
  kill: Kill,
  warm: Warm | undefined,
): { status: RunStatus; error?: RunError } {
  if (kill === "timeout")
    return { status: "timeout", error: { name: "TimeoutError", message: "the function ran out of time" } };
  if (kill === "cpu_limit")
    return {
      status: "cpu_limit",
      error: { name: "CpuLimitError", message: "the function used up its CPU time" },
    };
  const message = failure instanceof Error ? failure.message : "";
  if (
    /memory limit/i.test(message) ||
    (reply?.ok === false && reply.error?.message === "Array buffer allocation failed")
  ) {
    return {
      status: "memory_limit",
      error: { name: "MemoryLimitError", message: "the function exceeded its memory limit" },
    };
  }
  if (/timed out/i.test(message))
    return { status: "timeout", error: { name: "TimeoutError", message: "the function ran out of time" } };
  if (message === "Promise was abandoned") {
    // ivm noticed the returned promise was garbage-collected unsettled: nothing could ever settle it.
    return {
      status: "error",
      error: { name: "AbandonedPromise", message: "the function's promise can never settle" },
    };
  }
  if (failure !== undefined) {
    // The module's top level threw, or ivm failed: both are the function's error unless the isolate died.
    const dead = !warm || warm.isolate.isDisposed;
    const e = failure instanceof Error ? failure : undefined;
    return {
      status: dead ? "crashed" : "error",
      error: capped({ name: e?.name, message: message || String(failure), stack: e?.stack }),
    };
  }
  if (!reply || typeof reply !== "object")
    return { status: "error", error: { name: "Error", message: "no reply from the function" } };
  if (reply.ok === false) return { status: "error", error: capped(reply.error) };
  if (typeof reply.json !== "string" && reply.json !== undefined)
    return { status: "error", error: { name: "Error", message: "malformed result" } };
  return { status: "ok" };
}
