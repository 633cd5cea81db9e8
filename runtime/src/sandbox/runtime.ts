// FunctionRuntime: runs compiled function versions in executor child processes, one warm isolate
// per version, and turns whatever happens into a RunOutcome. It also serves the executors' fetch
// requests through the egress client, so the address guard and its options live in this process.
import { type EgressOptions, egressRequest } from "../egress";
import { fatesOf, lostTwice } from "./dead-executor";
import { resolveExecutorPath } from "./executor-path";
import { ExecutorProcess, type Settled } from "./executor-process";
import { assertLimits, CAPS, type Limits } from "./limits";
import { IsolatePool } from "./pool";
import type {
  ExecutorOutcome,
  FetchReply,
  FetchRequest,
  FromExecutor,
  RunContext,
  RunOutcome,
} from "./protocol";
import { Suspects } from "./suspects";
import { WorkspaceGate } from "./workspace-gate";

export type FunctionRuntimeOptions = {
  /** Executor child processes (default 2). */
  executors?: number;
  /** Warm isolates kept across all executors (default 200). */
  maxIsolates?: number;
  /** Memory the warm isolates may occupy together, measured heap (default 1024 MB). */
  maxPoolMemoryMb?: number;
  egress: EgressOptions;
  /** The executor entry file; see executor-path.ts for the default. */
  executorPath?: string;
  /** Receives executor stderr (crash reports); discarded by default. */
  onExecutorStderr?: (text: string) => void;
  /**
   * Memory limits one workspace's running functions may reserve together (default 1024 MB: the
   * dispatch worker's 16 functions in flight at the default 64 MB each).
   */
  workspaceMemoryMb?: number;
};

export type RunRequest = {
  workspaceId: string;
  /** Unique per function version: the code behind a key never changes. */
  versionKey: string;
  code: string;
  sourceMap: string;
  event: unknown;
  ctx: RunContext;
  limits: Limits;
};

export type RuntimeStats = {
  executors: number;
  restarts: number;
  isolates: number;
  limitHits: number;
  /** Function versions running alone because they brought an executor down recently. */
  suspects: number;
};

type Pending = { workspaceId: string; fetchCount: number; deadline: number };
type Exchanged = { result: Settled; fetchCount: number };

/** Solo executors (for suspects) alive at once; more suspect runs wait for one. */
const SOLO_AT_ONCE = 2;

export class FunctionRuntime {
  private readonly slots: (ExecutorProcess | undefined)[];
  private readonly pool: IsolatePool;
  private readonly running = new Map<number, Pending>();
  private entry: Promise<string> | undefined;
  private nextId = 1;
  private restarts = 0;
  private limitHits = 0;
  private closed = false;
  private readonly gate: WorkspaceGate;
  private readonly suspects = new Suspects();
  // Solo executors: one at a time per workspace (so one tenant's suspects cannot fill the queue),
  // SOLO_AT_ONCE in all.
  private readonly solosPerWorkspace = new WorkspaceGate(1);
  private readonly solos = new WorkspaceGate(SOLO_AT_ONCE);
  private readonly soloExecutors = new Set<ExecutorProcess>();

  constructor(private readonly opts: FunctionRuntimeOptions) {
    this.slots = new Array<ExecutorProcess | undefined>(Math.max(1, opts.executors ?? 2)).fill(undefined);
    this.pool = new IsolatePool(opts.maxIsolates ?? 200, (opts.maxPoolMemoryMb ?? 1024) * 1024 * 1024);
    this.gate = new WorkspaceGate(opts.workspaceMemoryMb ?? 1024);
  }

  /** Starts the executors ahead of the first run (optional: run() starts them on demand). */
  async start(): Promise<void> {
    for (let i = 0; i < this.slots.length; i++) await this.executor(i);
  }

  async run(req: RunRequest): Promise<RunOutcome> {
    if (this.closed) throw new Error("FunctionRuntime is closed");
    assertLimits(req.limits);
    const key = IsolatePool.key(req.workspaceId, req.ctx.hook.id, req.versionKey);
    const eventJson = JSON.stringify(req.event ?? null);
    const ctxJson = JSON.stringify(req.ctx);
    const release = await this.gate.enter(req.workspaceId, req.limits.memoryMb);
    try {
      if (this.closed) throw new Error("FunctionRuntime is closed");
      if (this.suspects.has(key)) return await this.runSolo(key, req, eventJson, ctxJson);
      let outcome = await this.dispatch(key, req, eventJson, ctxJson, false);
      // Its code was evicted meanwhile, or another run took its executor down: once more.
      if (outcome === "missing" || outcome === "lost")
        outcome = await this.dispatch(key, req, eventJson, ctxJson, true);
      if (outcome === "missing") throw new Error("executor lost the code it was just given");
      if (outcome === "lost") return lostTwice();
      return outcome;
    } finally {
      release();
    }
  }

  stats(): RuntimeStats {
    const executors = this.slots.filter((e) => e?.alive).length;
    return {
      executors,
      restarts: this.restarts,
      isolates: this.pool.size,
      limitHits: this.limitHits,
      suspects: this.suspects.size,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.slots, ...this.soloExecutors].map((e) => e?.close()));
  }

  private async dispatch(
    key: string,
    req: RunRequest,
    eventJson: string,
    ctxJson: string,
    forceLoad: boolean,
  ): Promise<RunOutcome | "missing" | "lost"> {
    let entry = this.pool.get(key);
    const load = !entry || forceLoad;
    if (!entry) {
      // Choose and claim without yielding when the executor is up, so concurrent cold starts spread.
      const slot = this.leastBusySlot();
      const live = this.slots[slot];
      entry = this.pool.add(key, live?.alive ? live : await this.executor(slot));
    }
    entry.busy++;
    const { result, fetchCount } = await this.exchange(entry.executor, key, req, eventJson, ctxJson, load);
    entry.busy--;
    if (result === "missing") {
      this.pool.delete(key);
      return "missing";
    }
    if (result === "lost") return "lost";
    entry.footprint = result.discarded ? 0 : result.footprintBytes;
    this.evictOverflow();
    return this.toOutcome(result, fetchCount);
  }

  /** Sends one run to an executor and waits for how it came back. */
  private async exchange(
    exec: ExecutorProcess,
    key: string,
    req: RunRequest,
    eventJson: string,
    ctxJson: string,
    load: boolean,
  ): Promise<Exchanged> {
    const id = this.nextId++;
    const started = performance.now();
    const pending: Pending = {
      workspaceId: req.workspaceId,
      fetchCount: 0,
      deadline: Date.now() + req.limits.timeoutMs,
    };
    this.running.set(id, pending);
    const result = await new Promise<Settled>((settle) => {
      exec.track(id, { key, started, settle });
      exec.send({
        t: "run",
        id,
        key,
        ...(load ? { load: { code: req.code, sourceMap: req.sourceMap } } : {}),
        eventJson,
        ctxJson,
        limits: req.limits,
      });
    });
    this.running.delete(id);
    return { result, fetchCount: pending.fetchCount };
  }

  /** A suspect's run, in an executor of its own that ends with it. */
  private async runSolo(
    key: string,
    req: RunRequest,
    eventJson: string,
    ctxJson: string,
  ): Promise<RunOutcome> {
    const releaseMine = await this.solosPerWorkspace.enter(req.workspaceId, 1);
    const release = await this.solos.enter("all", 1);
    try {
      const path = await this.executorPath();
      if (this.closed) throw new Error("FunctionRuntime is closed");
      const exec = this.spawn(path, true);
      this.soloExecutors.add(exec);
      try {
        const { result, fetchCount } = await this.exchange(exec, key, req, eventJson, ctxJson, true);
        return typeof result === "string" ? lostTwice() : this.toOutcome(result, fetchCount);
      } finally {
        this.soloExecutors.delete(exec);
        await exec.close();
      }
    } finally {
      release();
      releaseMine();
    }
  }

  private toOutcome(r: ExecutorOutcome, fetchCount: number): RunOutcome {
    if (r.status === "timeout" || r.status === "cpu_limit" || r.status === "memory_limit") this.limitHits++;
    const outcome: RunOutcome = {
      status: r.status,
      logs: r.logs,
      logsTruncated: r.logsTruncated,
      wallMs: r.wallMs,
      cpuMs: r.cpuMs,
      heapBytes: r.heapBytes,
      fetchCount,
    };
    if (r.resultJson !== undefined) outcome.result = JSON.parse(r.resultJson);
    if (r.resultTruncated) outcome.resultTruncated = true;
    if (r.error) outcome.error = r.error;
    return outcome;
  }

  private evictOverflow(): void {
    for (const evicted of this.pool.overflow()) evicted.executor.send({ t: "evict", key: evicted.key });
  }

  /** New versions go to the executor with the least work in flight, then the fewest isolates. */
  private leastBusySlot(): number {
    let best = 0;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.slots.length; i++) {
      const e = this.slots[i];
      const score = e?.alive ? e.inFlight.size * 1e6 + e.versions.size : 0;
      if (score < bestScore) {
        best = i;
        bestScore = score;
      }
    }
    return best;
  }

  private async executor(slot: number): Promise<ExecutorProcess> {
    const current = this.slots[slot];
    if (current?.alive) return current;
    const path = await this.executorPath();
    const again = this.slots[slot];
    if (again?.alive) return again;
    const exec = this.spawn(path, false);
    this.slots[slot] = exec;
    return exec;
  }

  private executorPath(): Promise<string> {
    this.entry ??= resolveExecutorPath(this.opts.executorPath);
    return this.entry;
  }

  private spawn(path: string, solo: boolean): ExecutorProcess {
    return new ExecutorProcess(path, {
      onFetch: (e, msg) => this.serveFetch(e, msg),
      onExit: (e, reason) => this.executorDied(e, reason, solo),
      onStderr: this.opts.onExecutorStderr,
    });
  }

  /** A dead executor's runs: see dead-executor.ts for what becomes of each. */
  private executorDied(exec: ExecutorProcess, reason: string, solo: boolean): void {
    this.pool.dropExecutor(exec);
    if (!this.closed && !solo) this.restarts++;
    const flights = [...exec.inFlight];
    exec.inFlight.clear();
    const runs = flights.map(([id, flight]) => ({ id, started: flight.started }));
    const fates = fatesOf(runs, exec.verdict(), reason, performance.now());
    for (const [i, [, flight]] of flights.entries()) {
      const fate = fates[i] ?? "lost";
      if (fate !== "lost" && fate.suspect) this.suspects.mark(flight.key);
      flight.settle(fate === "lost" ? "lost" : fate.outcome);
    }
    // No eager respawn: an executor that dies at startup must not spin in a restart loop. The slot
    // is refilled when the next run picks it.
  }

  private serveFetch(exec: ExecutorProcess, msg: FromExecutor & { t: "fetch" }): void {
    this.fetchFor(msg.id, msg.req, msg.timeoutMs).then(
      (reply) => exec.send({ t: "fetched", fid: msg.fid, reply }),
      () =>
        exec.send({
          t: "fetched",
          fid: msg.fid,
          reply: { ok: false, code: "connection", message: "internal error" },
        }),
    );
  }

  private async fetchFor(id: number, req: FetchRequest, timeoutMs: number): Promise<FetchReply> {
    const pending = this.running.get(id);
    if (!pending) return { ok: false, code: "timeout", message: "the invocation is over" };
    if (++pending.fetchCount > CAPS.fetchesPerInvocation) {
      return {
        ok: false,
        code: "too_many_fetches",
        message: `at most ${CAPS.fetchesPerInvocation} requests per invocation`,
      };
    }
    const remaining = Math.min(timeoutMs, pending.deadline - Date.now());
    if (remaining <= 0) return { ok: false, code: "timeout", message: "the invocation is out of time" };
    const res = await egressRequest(this.opts.egress, {
      url: req.url,
      method: req.method,
      headers: Object.fromEntries(req.headers),
      ...(req.body ? { body: req.body } : {}),
      timeoutMs: remaining,
      maxResponseBytes: CAPS.fetchResponseBytes,
      followRedirects: req.redirect === "follow",
      // The workspace's own keep-alive pool: a socket is never shared between tenants.
      pool: pending.workspaceId,
    });
    if (!res.ok) return { ok: false, code: res.error.code, message: res.error.message };
    const { status, statusText, headers, body, url, redirected } = res;
    return { ok: true, status, statusText, headers: Object.entries(headers), body, url, redirected };
  }
}
