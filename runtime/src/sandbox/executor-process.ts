// The runtime's handle on one executor child: spawning it with its own flags, batching messages,
// tracking its in-flight runs, and noticing when it dies or stops answering. The parent never dies
// with it: a dead executor's runs end as `crashed` and the runtime spawns a replacement.
import { type ChildProcess, fork } from "node:child_process";
import { readLastWords, type Verdict } from "./last-words";
import type { ExecutorOutcome, FromExecutor, ToExecutor } from "./protocol";

/** How a run came back: its outcome, its code missing, or lost with an executor it did not kill. */
export type Settled = ExecutorOutcome | "missing" | "lost";

export type InFlight = { key: string; started: number; settle(outcome: Settled): void };

export type ExecutorEvents = {
  onFetch(exec: ExecutorProcess, msg: FromExecutor & { t: "fetch" }): void;
  onExit(exec: ExecutorProcess, reason: string): void;
  onStderr?(chunk: string): void;
};

/** How long an executor holding work may stay silent before it is presumed hung and killed. */
const SILENCE_LIMIT_MS = 5000;

export class ExecutorProcess {
  readonly inFlight = new Map<number, InFlight>();
  /** Versions whose code this executor holds (the pool keeps this in sync). */
  readonly versions = new Set<string>();
  private readonly child: ChildProcess;
  private outbox: ToExecutor[] = [];
  private lastHeard = Date.now();
  private exited = false;
  /** The end of what the child wrote to stderr: its last words when it dies. */
  private stderrTail = "";
  private readonly watchdog: NodeJS.Timeout;

  constructor(
    entry: string,
    private readonly events: ExecutorEvents,
  ) {
    this.child = fork(entry, [], {
      execPath: process.execPath,
      // Our own flags, not the parent's: isolated-vm (7.0.1 too) needs --no-node-snapshot on Node 20
      // and later (its isolates start from V8's snapshot, not Node's, which can crash the shared
      // heap); it costs ~40 ms once per executor start. The test runner's or CLI's loaders must not
      // leak in.
      execArgv: ["--no-node-snapshot"],
      // A clean environment: the executor reads nothing from it, and NODE_OPTIONS must not apply.
      env: {},
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    this.child.stderr?.setEncoding("utf8");
    // The stderr pipe is only for diagnostics; it must never keep the parent alive.
    (this.child.stderr as { unref?(): void } | null)?.unref?.();
    this.child.stderr?.on("data", (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4096);
      this.events.onStderr?.(chunk);
    });
    this.child.on("message", (batch: FromExecutor[]) => this.receive(batch));
    // "close", not "exit": it comes once stderr is drained, so the last words have been read.
    this.child.on("close", (code, signal) => this.died(`exited (${signal ?? `code ${code}`})`));
    this.child.on("error", (err) => this.died(`failed: ${err.message}`));
    this.watchdog = setInterval(() => this.checkSilence(), 1000).unref();
    this.idle();
  }

  get alive(): boolean {
    return !this.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Why it died and which invocation it blamed, when it said so before dying. */
  verdict(): Verdict | undefined {
    return readLastWords(this.stderrTail);
  }

  send(msg: ToExecutor): void {
    if (this.exited) return;
    if (this.outbox.length === 0) setImmediate(() => this.flush());
    this.outbox.push(msg);
  }

  track(id: number, flight: InFlight): void {
    if (this.inFlight.size === 0) this.busy();
    this.inFlight.set(id, flight);
  }

  kill(): void {
    if (!this.exited) this.child.kill("SIGKILL");
  }

  /** Stops the child and waits until it is gone. */
  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once("close", () => resolve()));
    // Unref'd handles would not keep us waiting for the exit and the end of its pipes.
    this.child.ref();
    this.child.channel?.ref();
    (this.child.stderr as { ref?(): void } | null)?.ref?.();
    this.child.kill("SIGKILL");
    await gone;
  }

  private flush(): void {
    const batch = this.outbox;
    this.outbox = [];
    if (batch.length > 0 && !this.exited && this.child.connected) this.child.send(batch);
  }

  private receive(batch: FromExecutor[]): void {
    this.lastHeard = Date.now();
    for (const msg of batch) this.dispatch(msg);
  }

  private dispatch(msg: FromExecutor): void {
    switch (msg.t) {
      case "done":
      case "missing": {
        const flight = this.inFlight.get(msg.id);
        this.inFlight.delete(msg.id);
        if (this.inFlight.size === 0) this.idle();
        flight?.settle(msg.t === "done" ? msg.outcome : "missing");
        return;
      }
      case "fetch":
        this.events.onFetch(this, msg);
        return;
      case "ready":
      case "alive":
        return;
      default: {
        const unknown: never = msg;
        throw new Error(`unknown executor message ${JSON.stringify(unknown)}`);
      }
    }
  }

  private checkSilence(): void {
    if (this.inFlight.size === 0 || Date.now() - this.lastHeard <= SILENCE_LIMIT_MS) return;
    // Timers run before I/O in an event-loop turn: if this process was the busy one (a long
    // synchronous stretch), the executor's messages are still unread. Let one I/O phase pass
    // (setImmediate runs after it) and judge the executor only on what it really said.
    setImmediate(() => {
      if (this.inFlight.size > 0 && Date.now() - this.lastHeard > SILENCE_LIMIT_MS) this.kill();
    });
  }

  private died(reason: string): void {
    if (this.exited) return;
    this.exited = true;
    // Also reached on "error" (the child may still run): nothing of it may outlive this.
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    clearInterval(this.watchdog);
    this.events.onExit(this, reason);
  }

  // While runs are in flight the channel keeps the parent's event loop alive (an awaited run must
  // not be abandoned); when idle, an executor must not keep a CLI or test process from exiting.
  private busy(): void {
    this.child.ref();
    this.child.channel?.ref();
  }

  private idle(): void {
    this.child.unref();
    this.child.channel?.unref();
  }
}
