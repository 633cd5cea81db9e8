// The dispatch worker: claims due deliveries in batches and carries them out with bounded
// concurrency, overall and per destination host. It wakes on NOTIFY (sent when deliveries are
// written) and polls as a backstop. Stopping finishes in-flight work or hands it back.
import { randomBytes } from "node:crypto";
import type { Db, Unlisten } from "../db/connect";
import type { Metrics } from "../observability/metrics";
import { DELIVERIES_CHANNEL } from "../services/event-writer";
import { type BatchContext, loadBatch } from "./batch";
import { type ClaimedDelivery, claimDue, releaseLease } from "./claim";
import { type DeliverDeps, deliver, type Finished } from "./deliver";
import { Recorder } from "./recorder";

export interface WorkerOptions {
  /** Deliveries in flight at once (default 64). */
  concurrency?: number;
  /** Deliveries in flight to one host at once (default 16); functions count as one host. */
  perHost?: number;
  /** How long a claim lasts before another worker may take the delivery (default 2 min > max timeout). */
  leaseMs?: number;
  /** Polling backstop when no NOTIFY arrives (default 1 s). */
  pollMs?: number;
  /** How long stop() lets in-flight deliveries finish before handing them back (default 15 s). */
  drainMs?: number;
}

export interface WorkerDeps extends DeliverDeps {
  db: Db;
  /** The payload is not needed here: any NOTIFY on the channel just means "claim again". */
  listen: (channel: string, onNotify: (payload: string) => void) => Promise<Unlisten>;
  log?: (message: string, error?: unknown) => void;
  metrics?: Metrics;
}

const BUSY_HOST_DELAY_MS = 250;

export class DispatchWorker {
  readonly id = `wrk_${randomBytes(6).toString("hex")}`;
  private readonly inFlight = new Map<string, { host: string; done: Promise<void> }>();
  private readonly perHostCount = new Map<string, number>();
  private readonly options: Required<WorkerOptions>;
  private wakeUp: (() => void) | null = null;
  /** A poke that came while no one was waiting: the next wait returns at once. */
  private poked = false;
  private stopping = false;
  private loopDone: Promise<void> = Promise.resolve();
  private unlisten: Unlisten | null = null;
  private readonly recorder: Recorder;

  constructor(
    private readonly deps: WorkerDeps,
    options: WorkerOptions = {},
  ) {
    this.options = {
      concurrency: options.concurrency ?? 64,
      perHost: options.perHost ?? 16,
      leaseMs: options.leaseMs ?? 120_000,
      pollMs: options.pollMs ?? 1_000,
      drainMs: options.drainMs ?? 15_000,
    };
    this.recorder = new Recorder(deps.db, this.id, (m, e) => this.log(m, e));
  }

  async start(): Promise<void> {
    this.unlisten = await this.deps.listen(DELIVERIES_CHANNEL, () => this.poke());
    this.loopDone = this.loop();
  }

  /** Claims again now rather than at the next poll. */
  poke(): void {
    if (this.wakeUp) this.wakeUp();
    else this.poked = true;
  }

  get stopped(): boolean {
    return this.stopping;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.poke();
    await this.loopDone;
    await this.unlisten?.();
    const drained = Promise.all([...this.inFlight.values()].map((f) => f.done));
    const timedOut = await Promise.race([
      drained.then(() => false),
      sleep(this.options.drainMs).then(() => true),
    ]);
    // What finished is written down before stop() returns.
    await this.recorder.flush();
    // Work still running is handed back: another worker (or the next start) attempts it again,
    // which at-least-once delivery allows.
    if (timedOut)
      await releaseLease(this.deps.db, this.id, [...this.inFlight.keys()]).catch((e) =>
        this.log("release", e),
      );
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const free = this.options.concurrency - this.inFlight.size;
      let claimed: ClaimedDelivery[] = [];
      let handedBack = 0;
      try {
        claimed = await claimDue(this.deps.db, this.id, free, this.options.leaseMs, this.busyHosts());
        if (claimed.length > 0)
          handedBack = await this.launchAll(claimed, await loadBatch(this.deps.db, claimed));
      } catch (error) {
        // Whatever was claimed stays leased and comes back when the lease runs out.
        this.log("claiming deliveries failed; retrying at the next poll", error);
      }
      // A full batch all launched means more may be due: claim again at once. Otherwise (fewer
      // due, or some handed back because their host filled up) wait for a slot or a NOTIFY.
      if (claimed.length < free || free === 0 || handedBack > 0) await this.waitForWakeUp();
    }
  }

  /** Hosts at their per-host limit: the next claim skips them. */
  private busyHosts(): string[] {
    return [...this.perHostCount].filter(([, n]) => n >= this.options.perHost).map(([host]) => host);
  }

  /** Launches what fits under the per-host limit; returns how many were handed back. */
  private async launchAll(claimed: ClaimedDelivery[], batch: BatchContext): Promise<number> {
    const busy: string[] = [];
    for (const delivery of claimed) {
      const host = hostOf(delivery.target);
      if ((this.perHostCount.get(host) ?? 0) >= this.options.perHost) busy.push(delivery.id);
      else this.launch(delivery, host, batch);
    }
    await releaseLease(this.deps.db, this.id, busy, BUSY_HOST_DELAY_MS).catch((e) => this.log("release", e));
    return busy.length;
  }

  private launch(delivery: ClaimedDelivery, host: string, batch: BatchContext): void {
    this.perHostCount.set(host, (this.perHostCount.get(host) ?? 0) + 1);
    const done = deliver(this.deps, delivery, batch)
      .then((finished) => {
        this.observe(finished);
        this.recorder.add(finished);
      })
      // A delivery that throws (database gone) keeps its lease and comes back when it expires.
      .catch((error: unknown) => this.log(`delivery ${delivery.id} failed to run`, error))
      .finally(() => {
        this.inFlight.delete(delivery.id);
        const left = (this.perHostCount.get(host) ?? 1) - 1;
        if (left > 0) this.perHostCount.set(host, left);
        else this.perHostCount.delete(host);
        this.poke();
      });
    this.inFlight.set(delivery.id, { host, done });
  }

  private waitForWakeUp(): Promise<void> {
    if (this.poked) {
      this.poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(finish, this.options.pollMs);
      const self = this;
      function finish() {
        clearTimeout(timer);
        if (self.wakeUp === finish) self.wakeUp = null;
        resolve();
      }
      this.wakeUp = finish;
    });
  }

  private observe(finished: Finished): void {
    const metrics = this.deps.metrics;
    if (!metrics) return;
    if (finished.kind === "canceled") {
      metrics.deliveries.inc({ kind: "none", outcome: `canceled:${finished.reason}` });
      return;
    }
    const kind = finished.record.kind;
    metrics.deliveries.inc({ kind, outcome: finished.record.outcome });
    metrics.attemptDuration.observe({ kind }, finished.record.durationMs / 1000);
  }

  private log(message: string, error?: unknown): void {
    (this.deps.log ?? ((m, e) => console.error(`dispatch: ${m}`, e ?? "")))(message, error);
  }
}

function hostOf(target: string): string {
  if (target === "function") return "function";
  try {
    return new URL(target).host;
  } catch {
    return target;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
