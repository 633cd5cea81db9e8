// The dispatch worker: claims due deliveries in batches and carries them out with bounded
// concurrency, overall and per destination host (each host's limit adapts to how its deliveries
// end, up to a ceiling: see host-limit.ts). It wakes on NOTIFY (sent when deliveries are
// written) and polls as a backstop. Stopping finishes in-flight work or hands it back.
// This file is the loop and its I/O only: the scheduling rules are in lanes.ts, what follows an
// attempt in next-step.ts, writing it down in record.ts, and the queue's contract in ../queue.
import { randomBytes } from "node:crypto";
import { type ELDHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import type { Db, Unlisten } from "../db/connect";
import type { Metrics } from "../observability/metrics";
import {
  type ClaimedDelivery,
  type ClaimedWork,
  claimDueWithEvents,
  DELIVERIES_CHANNEL,
  releaseLease,
  releaseStalledLines,
  targetHost,
  wakeHosts,
} from "../queue";
import { type BatchContext, loadBatch } from "./batch";
import { BREAKER_CHECK_MS, probeCircuits } from "./breaker-probes";
import { DEFAULT_COOLDOWN_MS } from "./breaker-rule";
import { type DeliverDeps, deliver, type Finished } from "./deliver";
import { beat, HEARTBEAT_MS, reapDead, retire, STALE_MS } from "./heartbeat";
import { DEFAULT_HOST_CEILING, type Feedback, lessOwnDelay, NEUTRAL } from "./host-limit";
import { DEFAULT_CONCURRENCY, HostLanes, type Started } from "./lanes";
import { ANALYZE_CHECK_MS, ANALYZE_EVERY, QueueStatistics } from "./queue-statistics";
import { Recorder } from "./recorder";

export interface WorkerOptions {
  /** Deliveries in flight at once (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
  /**
   * The ceiling of each host's adaptive limit (default DEFAULT_HOST_CEILING); functions count as
   * one host.
   */
  perHost?: number;
  /**
   * Deliveries claimed ahead of free slots, waiting here (default = concurrency): a slot that frees
   * starts the next delivery at once instead of after a claim's round trip to the database.
   */
  prefetch?: number;
  /** How long a claim lasts before another worker may take the delivery (default 2 min > max timeout). */
  leaseMs?: number;
  /** Polling backstop when no NOTIFY arrives (default 1 s). */
  pollMs?: number;
  /** How long stop() lets in-flight deliveries finish before handing them back (default 15 s). */
  drainMs?: number;
  /** How often the worker beats, renewing its leases (default 2 s; see heartbeat.ts). */
  heartbeatMs?: number;
  /** How long another worker may stay silent before its leases are handed back (default 6 s). */
  staleMs?: number;
  /** Deliveries this worker finishes between two ANALYZEs of the queue (default ANALYZE_EVERY). */
  analyzeEvery?: number;
  /** HOOKRUN_OPERATIONS_WORKSPACE: receives a copy of every operational event (default none). */
  operationsWorkspace?: string | null;
  /** The first cool-down of an open URL's circuit breaker, doubled per failed probe (default 30 s). */
  breakerCooldownMs?: number;
  /** How often this worker lets due breaker probes go (default BREAKER_CHECK_MS; see breaker-probes.ts). */
  breakerCheckMs?: number;
  /** How often the worker releases FIFO lines nobody released (default STALLED_LINES_MS). */
  stalledLinesMs?: number;
}

export interface WorkerDeps extends DeliverDeps {
  db: Db;
  /** Delivers NOTIFYs on DELIVERIES_CHANNEL; the payload names the new deliveries' hosts. */
  listen: (channel: string, onNotify: (payload: string) => void) => Promise<Unlisten>;
  log?: (message: string, error?: unknown) => void;
  metrics?: Metrics;
  /**
   * The database's only worker (the embedded database, held by one process): every lease it finds
   * at start is a dead process's, taken back at once.
   */
  soleWorker?: boolean;
}

/**
 * A claimed delivery waiting for a slot, with what its claim loads (still loading, maybe: the next
 * claim does not wait for it, see loop()).
 */
interface Waiting {
  delivery: ClaimedDelivery;
  batch: Promise<BatchContext>;
}

/**
 * A claim's lease: longer than the longest attempt (a 30 s callback or function timeout) with a
 * wide margin. Heartbeats renew it while the worker lives, and hand it back within seconds once it
 * dies, so its length only matters if heartbeats stop while the worker goes on.
 */
export const DEFAULT_LEASE_MS = 120_000;

/**
 * How often a worker looks for FIFO lines whose next delivery is parked with nothing ahead of it
 * (its head ended outside a worker: canceled by hand, a URL removed; see fifo-lines.ts).
 */
export const STALLED_LINES_MS = 5_000;

/**
 * A delivery admitted to start at a moment further ahead than this (its hook's rate slot) waits for
 * it outside the lanes, holding none of their slots (see pace()); a nearer one sleeps in deliver().
 */
const PACE_MS = 20;

/** The event-loop delay monitor's sampling interval, ms: its mean is this plus the delay. */
const LOOP_DELAY_RESOLUTION_MS = 10;

export class DispatchWorker {
  readonly id = `wrk_${randomBytes(6).toString("hex")}`;
  /** Running deliveries' promises, by id: stop() waits for them, or hands their leases back. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** The scheduling rules: what may start, when to claim and how much (see lanes.ts). */
  private readonly lanes: HostLanes<Waiting>;
  /** Claimed deliveries waiting for their rate slot before they join their lane again, by id. */
  private readonly paced = new Map<string, { timer: NodeJS.Timeout; item: Waiting }>();
  private readonly options: Required<WorkerOptions>;
  private wakeUp: (() => void) | null = null;
  /** A poke that came while no one was waiting: the next wait returns at once. */
  private poked = false;
  private stopping = false;
  private loopDone: Promise<void> = Promise.resolve();
  private unlisten: Unlisten | null = null;
  private readonly recorder: Recorder;
  private heartbeat: NodeJS.Timeout | undefined;
  private beating = false;
  /** This process's event-loop delay, measured while the worker runs (see lessOwnDelay). */
  private readonly loopDelay: ELDHistogram = monitorEventLoopDelay({
    resolution: LOOP_DELAY_RESOLUTION_MS,
  });
  /** The mean delay since the previous reading, ms; read every second. */
  private ownDelayMs = 0;
  private delayReading: NodeJS.Timeout | undefined;
  /** The queue tables' statistics, analyzed as this worker churns them (queue-statistics.ts). */
  private readonly statistics: QueueStatistics;
  private analyzing: NodeJS.Timeout | undefined;
  private probing: NodeJS.Timeout | undefined;
  private probingNow = false;
  private lineCheck: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: WorkerDeps,
    options: WorkerOptions = {},
  ) {
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.options = {
      concurrency,
      perHost: options.perHost ?? DEFAULT_HOST_CEILING,
      prefetch: options.prefetch ?? concurrency,
      leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
      pollMs: options.pollMs ?? 1_000,
      drainMs: options.drainMs ?? 15_000,
      heartbeatMs: options.heartbeatMs ?? HEARTBEAT_MS,
      staleMs: options.staleMs ?? STALE_MS,
      analyzeEvery: options.analyzeEvery ?? ANALYZE_EVERY,
      operationsWorkspace: options.operationsWorkspace ?? null,
      breakerCooldownMs: options.breakerCooldownMs ?? DEFAULT_COOLDOWN_MS,
      breakerCheckMs: options.breakerCheckMs ?? BREAKER_CHECK_MS,
      stalledLinesMs: options.stalledLinesMs ?? STALLED_LINES_MS,
    };
    this.lanes = new HostLanes(this.options);
    this.recorder = new Recorder(deps.db, this.id, (m, e) => this.log(m, e), {
      operationsWorkspace: this.options.operationsWorkspace,
      breaker: { cooldownMs: this.options.breakerCooldownMs, metrics: deps.metrics },
    });
    this.statistics = new QueueStatistics(deps.db, this.options.analyzeEvery);
  }

  async start(): Promise<void> {
    if (this.deps.soleWorker) {
      // Every lease (and worker row) left in the database is a stopped process's.
      const released = await reapDead(this.deps.db, 0);
      if (released > 0) this.log(`took back ${released} deliveries a stopped process had claimed`);
    }
    // Registered before the first claim: a lease whose owner is not a live worker is handed back.
    await beat(this.deps.db, this.id, [], this.options.leaseMs);
    this.unlisten = await this.deps.listen(DELIVERIES_CHANNEL, (payload) => this.onDeliveries(payload));
    this.heartbeat = setInterval(() => void this.beatOnce(), this.options.heartbeatMs).unref();
    this.loopDelay.enable();
    this.delayReading = setInterval(() => this.readOwnDelay(), 1_000).unref();
    this.analyzing = setInterval(() => void this.analyzeIfDue(), ANALYZE_CHECK_MS).unref();
    this.probing = setInterval(() => void this.probeCircuits(), this.options.breakerCheckMs).unref();
    this.lineCheck = setInterval(() => void this.releaseStalledLines(), this.options.stalledLinesMs).unref();
    this.loopDone = this.loop();
  }

  private readOwnDelay(): void {
    const meanMs = this.loopDelay.count > 0 ? this.loopDelay.mean / 1e6 : LOOP_DELAY_RESOLUTION_MS;
    this.ownDelayMs = Math.max(0, meanMs - LOOP_DELAY_RESOLUTION_MS);
    this.loopDelay.reset();
  }

  /** Keeps the queue's statistics fresh while it churns; a failure waits for the next turn. */
  private async analyzeIfDue(): Promise<void> {
    if (this.stopping) return;
    try {
      await this.statistics.analyzeIfDue();
    } catch (error) {
      this.log("analyzing the queue's tables failed; the next turn tries again", error);
    }
  }

  /** Lets due breaker probes go (breaker-probes.ts); released deliveries wake the workers by NOTIFY. */
  private async probeCircuits(): Promise<void> {
    if (this.probingNow || this.stopping) return;
    this.probingNow = true;
    try {
      await probeCircuits(this.deps.db);
    } catch (error) {
      this.log("letting breaker probes go failed; the next turn tries again", error);
    } finally {
      this.probingNow = false;
    }
  }

  /** FIFO's safety net: a line nobody released moves on; what it released is claimed at once. */
  private async releaseStalledLines(): Promise<void> {
    if (this.stopping) return;
    try {
      if ((await releaseStalledLines(this.deps.db)) > 0) this.poke();
    } catch (error) {
      this.log("releasing stalled FIFO lines failed; the next turn tries again", error);
    }
  }

  /** Says it is alive, renews the leases it holds, and hands back those of dead workers. */
  private async beatOnce(): Promise<void> {
    if (this.beating || this.stopping) return;
    this.beating = true;
    try {
      await this.recorder.between(() => {
        // Taken when its turn comes: a delivery recorded meanwhile is no longer held.
        const held = [...this.inFlight.keys(), ...this.lanes.waitingIds(), ...this.paced.keys()];
        return beat(this.deps.db, this.id, held, this.options.leaseMs);
      });
      if (!this.deps.soleWorker && (await reapDead(this.deps.db, this.options.staleMs)) > 0) this.poke();
    } catch (error) {
      this.log("heartbeat failed; leases run on until the next one", error);
    } finally {
      this.beating = false;
    }
  }

  /** New work may be due (a NOTIFY): claims again now rather than at the next poll. */
  poke(): void {
    this.lanes.moreMayBeDue();
    this.wake();
  }

  /** New deliveries were written: claims again if one of their hosts has room here (see lanes.ts). */
  private onDeliveries(payload: string): void {
    const hosts = wakeHosts(payload);
    if (this.lanes.wakeWorthClaiming(hosts)) this.poke();
  }

  private wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.poked = true;
  }

  get stopped(): boolean {
    return this.stopping;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeat);
    clearInterval(this.delayReading);
    clearInterval(this.analyzing);
    clearInterval(this.probing);
    clearInterval(this.lineCheck);
    this.loopDelay.disable();
    this.wake();
    await this.loopDone;
    await this.unlisten?.();
    // Claimed but not started: handed back at once, for another worker (or the next start).
    for (const { timer } of this.paced.values()) clearTimeout(timer);
    const paced = [...this.paced.values()].map((p) => p.item);
    this.paced.clear();
    const waiting = [...this.lanes.handBack(), ...paced];
    await releaseLease(
      this.deps.db,
      this.id,
      waiting.map((w) => w.delivery.id),
    ).catch((e) => this.log("release", e));
    const drained = Promise.all(this.inFlight.values());
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
    await retire(this.deps.db, this.id).catch((e) => this.log("retire", e));
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        if (this.lanes.claimWanted) {
          // Begun before the round trip, so a signal that arrives during the claim is kept for the
          // next one; a claim that filled its limit may want another at once.
          const { limit, skipped } = this.lanes.beginClaim();
          const claimed = await claimDueWithEvents(
            this.deps.db,
            this.id,
            limit,
            this.options.leaseMs,
            skipped,
          );
          // The batch's hooks load while the next claim goes out: one round trip per claim on the
          // loop's path instead of two, which is what bounds a worker whose database answers slowly.
          if (claimed.length > 0) this.enqueue(claimed, loadBatch(this.deps.db, claimed));
          const hosts = claimed.map((c) => targetHost(c.delivery.target));
          this.lanes.endClaim(hosts, limit);
        }
      } catch (error) {
        // Whatever was claimed stays leased and comes back when the lease runs out.
        this.log("claiming deliveries failed; retrying at the next poll", error);
      }
      // More may be due and there is room worth a claim: claim again at once. Otherwise wait for a
      // NOTIFY, for a host to drop below a full round, for room to free up while more is due, or
      // for the poll.
      if (!this.lanes.claimWanted) await this.waitForWakeUp();
    }
  }

  /** Queues the claimed deliveries by host and starts what fits. */
  private enqueue(claimed: ClaimedWork[], batch: Promise<BatchContext>): void {
    // Each delivery reports a failed load itself (see launch); this one must not go unhandled.
    batch.catch(() => {});
    for (const { delivery } of claimed) {
      const host = targetHost(delivery.target);
      this.lanes.enqueue(host, delivery.id, { delivery, batch });
    }
    this.startWaiting();
  }

  /** Starts the waiting deliveries the lanes let start; a stopping worker starts none. */
  private startWaiting(): void {
    if (this.stopping) return;
    for (const started of this.lanes.startable()) this.launch(started);
  }

  private launch({ host, item }: Started<Waiting>): void {
    const { delivery, batch } = item;
    let feedback: Feedback = NEUTRAL;
    let paced = false;
    const done = batch
      .then(async (loaded) => {
        const waitMs = this.stopping ? 0 : msUntilAdmitted(loaded, delivery.id);
        if (waitMs > PACE_MS) {
          paced = true;
          this.pace(host, item, waitMs);
          return;
        }
        const delivered = await deliver(this.deps, delivery, loaded);
        this.observe(delivered.finished);
        this.recorder.add(delivered.finished);
        feedback = lessOwnDelay(delivered.feedback, this.ownDelayMs);
      })
      // A delivery that throws (its batch did not load, the database is gone) keeps its lease and
      // comes back when it expires.
      .catch((error: unknown) => this.log(`delivery ${delivery.id} failed to run`, error))
      .finally(() => {
        this.inFlight.delete(delivery.id);
        // Paced, it gives its slot back without a word on its host (NEUTRAL) and comes back later.
        this.lanes.finished(host, delivery.id, feedback);
        if (!paced) this.statistics.delivered();
        this.startWaiting();
        if (this.lanes.claimWanted) this.wake();
      });
    this.inFlight.set(delivery.id, done);
  }

  /**
   * A delivery whose rate slot is still ahead waits for it here, not in its lane's running slots:
   * sleeping there, a rated hook's deliveries held its host's slots (a few dozen) for up to
   * GO_WITHIN_MS each, which capped the rate a worker could reach far below 1,000/s. At its slot it
   * joins its lane again and starts when the lane lets it (deliver() finds its moment come).
   * Its lease is renewed meanwhile (the heartbeat's held ids) and handed back if the worker stops.
   */
  private pace(host: string, item: Waiting, waitMs: number): void {
    const id = item.delivery.id;
    const timer = setTimeout(() => {
      this.paced.delete(id);
      this.lanes.enqueue(host, id, item);
      this.startWaiting();
    }, waitMs);
    this.paced.set(id, { timer, item });
  }

  private waitForWakeUp(): Promise<void> {
    if (this.poked) {
      this.poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // The backstop: retries come due without a NOTIFY.
        this.lanes.moreMayBeDue();
        finish();
      }, this.options.pollMs);
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
    if (finished.kind === "waiting") {
      metrics.deliveriesWaited.inc({ why: finished.why });
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

/** How long until the gates let the delivery start (a rate slot ahead); 0 if it may start now. */
function msUntilAdmitted(batch: BatchContext, id: string): number {
  const admission = batch.admissions.get(id);
  if (admission?.kind !== "go" || !admission.notBefore) return 0;
  return Math.max(0, admission.notBefore.getTime() - Date.now());
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
