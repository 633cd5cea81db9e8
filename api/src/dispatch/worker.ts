// The dispatch worker: claims due deliveries in batches and carries them out with bounded
// concurrency, overall and per destination host. It wakes on NOTIFY (sent when deliveries are
// written) and polls as a backstop. Stopping finishes in-flight work or hands it back.
import { randomBytes } from "node:crypto";
import type { Db, Unlisten } from "../db/connect";
import type { Metrics } from "../observability/metrics";
import {
  type ClaimedDelivery,
  claimDue,
  DELIVERIES_CHANNEL,
  releaseLease,
  targetHost,
  wakeHosts,
} from "../queue";
import { type BatchContext, loadBatch } from "./batch";
import { type DeliverDeps, deliver, type Finished } from "./deliver";
import { beat, HEARTBEAT_MS, reapDead, retire, STALE_MS } from "./heartbeat";
import { Recorder } from "./recorder";

export interface WorkerOptions {
  /** Deliveries in flight at once (default 64). */
  concurrency?: number;
  /** Deliveries in flight to one host at once (default 16); functions count as one host. */
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

/** A claimed delivery waiting for a slot, with what its claim loaded. */
interface Waiting {
  delivery: ClaimedDelivery;
  batch: BatchContext;
}

/** One destination host: deliveries running to it and claimed ones waiting for it. */
interface HostLane {
  running: number;
  waiting: Waiting[];
}

/**
 * A host's share of the claimed deliveries, in rounds of perHost: one running and two waiting. A
 * waiting delivery starts within two rounds of the host's timeouts (30 s at most), so it finishes
 * inside its 2-minute lease.
 */
const HOST_SHARE = 3;

/**
 * A claim's lease: longer than the longest attempt (a 30 s callback or function timeout) with a
 * wide margin. Heartbeats renew it while the worker lives, and hand it back within seconds once it
 * dies, so its length only matters if heartbeats stop while the worker goes on.
 */
export const DEFAULT_LEASE_MS = 120_000;

export class DispatchWorker {
  readonly id = `wrk_${randomBytes(6).toString("hex")}`;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly lanes = new Map<string, HostLane>();
  private waitingCount = 0;
  private readonly options: Required<WorkerOptions>;
  private wakeUp: (() => void) | null = null;
  /** A poke that came while no one was waiting: the next wait returns at once. */
  private poked = false;
  /**
   * More may be due: set at start, by a NOTIFY, by the poll, by a claim that filled its limit and by a
   * host dropping below a full round; each claim consumes it.
   */
  private moreDue = true;
  private stopping = false;
  private loopDone: Promise<void> = Promise.resolve();
  private unlisten: Unlisten | null = null;
  private readonly recorder: Recorder;
  private heartbeat: NodeJS.Timeout | undefined;
  private beating = false;

  constructor(
    private readonly deps: WorkerDeps,
    options: WorkerOptions = {},
  ) {
    const concurrency = options.concurrency ?? 64;
    this.options = {
      concurrency,
      perHost: options.perHost ?? 16,
      prefetch: options.prefetch ?? concurrency,
      leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
      pollMs: options.pollMs ?? 1_000,
      drainMs: options.drainMs ?? 15_000,
      heartbeatMs: options.heartbeatMs ?? HEARTBEAT_MS,
      staleMs: options.staleMs ?? STALE_MS,
    };
    this.recorder = new Recorder(deps.db, this.id, (m, e) => this.log(m, e));
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
    this.loopDone = this.loop();
  }

  /** Says it is alive, renews the leases it holds, and hands back those of dead workers. */
  private async beatOnce(): Promise<void> {
    if (this.beating || this.stopping) return;
    this.beating = true;
    try {
      const waiting = [...this.lanes.values()].flatMap((lane) => lane.waiting.map((w) => w.delivery.id));
      await beat(this.deps.db, this.id, [...this.inFlight.keys(), ...waiting], this.options.leaseMs);
      if (!this.deps.soleWorker && (await reapDead(this.deps.db, this.options.staleMs)) > 0) this.poke();
    } catch (error) {
      this.log("heartbeat failed; leases run on until the next one", error);
    } finally {
      this.beating = false;
    }
  }

  /** New work may be due (a NOTIFY): claims again now rather than at the next poll. */
  poke(): void {
    this.moreDue = true;
    this.wake();
  }

  /**
   * New deliveries were written. Only worth a claim if one of their hosts is not already at a full
   * round here: the claim skips those hosts, so it would find nothing of theirs, and reaching any
   * other host's work would mean scanning past all of it.
   */
  private onDeliveries(payload: string): void {
    const hosts = wakeHosts(payload);
    if (!hosts || hosts.some((host) => !this.atFullRound(host))) this.poke();
  }

  private atFullRound(host: string): boolean {
    const lane = this.lanes.get(host);
    return lane !== undefined && backlogOf(lane) >= this.options.perHost;
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
    this.wake();
    await this.loopDone;
    await this.unlisten?.();
    // Claimed but not started: handed back at once, for another worker (or the next start).
    const waiting = [...this.lanes.values()].flatMap((lane) => lane.waiting.splice(0));
    this.waitingCount = 0;
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

  /** Room for more claimed deliveries: running and waiting together stay under concurrency + prefetch. */
  private get room(): number {
    return this.options.concurrency + this.options.prefetch - this.inFlight.size - this.waitingCount;
  }

  /**
   * Whether a claim is worth its round trip: nothing is waiting, or a quarter of the room is free.
   * Claiming for every freed slot would cost a query per delivery.
   */
  private get claimWorthwhile(): boolean {
    const room = this.room;
    return (
      room > 0 && (this.waitingCount === 0 || room >= (this.options.concurrency + this.options.prefetch) / 4)
    );
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        if (this.moreDue && this.claimWorthwhile) {
          // Consumed here, so a signal that arrives during the claim is kept for the next one.
          this.moreDue = false;
          const { limit, skipped } = this.claimBounds();
          const claimed = await claimDue(this.deps.db, this.id, limit, this.options.leaseMs, skipped);
          if (claimed.length > 0) this.enqueue(claimed, await loadBatch(this.deps.db, claimed));
          // A full claim may have left more behind, worth claiming at once if one of its hosts still
          // has room; the rest would be found only by scanning past hosts that are skipped now.
          const hostsWithRoom = claimed.some((d) => !this.atFullRound(targetHost(d.target)));
          if (claimed.length >= limit && hostsWithRoom) this.moreDue = true;
        }
      } catch (error) {
        // Whatever was claimed stays leased and comes back when the lease runs out.
        this.log("claiming deliveries failed; retrying at the next poll", error);
      }
      // More may be due and there is room worth a claim: claim again at once. Otherwise wait for a
      // NOTIFY, for a host to drop below a full round, for room to free up while more is due, or
      // for the poll.
      if (!(this.moreDue && this.claimWorthwhile)) await this.waitForWakeUp();
    }
  }

  /**
   * What the next claim may take. Hosts with a full round (perHost) running or waiting are skipped;
   * the limit keeps every other host, known or new, within its share, so nothing claimed ever has
   * to be handed back.
   */
  private claimBounds(): { limit: number; skipped: string[] } {
    const skipped: string[] = [];
    let heaviest = 0;
    for (const [host, lane] of this.lanes) {
      const backlog = backlogOf(lane);
      if (backlog >= this.options.perHost) skipped.push(host);
      else heaviest = Math.max(heaviest, backlog);
    }
    return { limit: Math.min(this.room, this.options.perHost * HOST_SHARE - heaviest), skipped };
  }

  /** Queues the claimed deliveries by host and starts what fits. */
  private enqueue(claimed: ClaimedDelivery[], batch: BatchContext): void {
    for (const delivery of claimed) {
      const host = targetHost(delivery.target);
      const lane = this.lanes.get(host) ?? { running: 0, waiting: [] };
      this.lanes.set(host, lane);
      lane.waiting.push({ delivery, batch });
      this.waitingCount++;
    }
    this.startWaiting();
  }

  /**
   * Starts waiting deliveries while slots are free, overall and on their host. Hosts take turns: a
   * lane that starts one moves to the back, so a host with a deep lane cannot keep every slot that
   * frees when the overall limit is what binds.
   */
  private startWaiting(): void {
    let started = true;
    while (started && !this.stopping && this.inFlight.size < this.options.concurrency) {
      started = false;
      for (const [host, lane] of [...this.lanes]) {
        if (this.inFlight.size >= this.options.concurrency) break;
        if (lane.waiting.length > 0 && lane.running < this.options.perHost) {
          this.waitingCount--;
          this.launch(lane.waiting.shift() as Waiting, lane);
          this.lanes.delete(host);
          this.lanes.set(host, lane);
          started = true;
        } else if (lane.running === 0 && lane.waiting.length === 0) this.lanes.delete(host);
      }
    }
  }

  private launch({ delivery, batch }: Waiting, lane: HostLane): void {
    lane.running++;
    const done = deliver(this.deps, delivery, batch)
      .then((finished) => {
        this.observe(finished);
        this.recorder.add(finished);
      })
      // A delivery that throws (database gone) keeps its lease and comes back when it expires.
      .catch((error: unknown) => this.log(`delivery ${delivery.id} failed to run`, error))
      .finally(() => {
        this.inFlight.delete(delivery.id);
        lane.running--;
        // A host that had a full round and now has less is claimed for again: it may have more due.
        if (backlogOf(lane) === this.options.perHost - 1) this.moreDue = true;
        this.startWaiting();
        if (this.moreDue && this.claimWorthwhile) this.wake();
      });
    this.inFlight.set(delivery.id, done);
  }

  private waitForWakeUp(): Promise<void> {
    if (this.poked) {
      this.poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // The backstop: retries come due without a NOTIFY.
        this.moreDue = true;
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
    const kind = finished.record.kind;
    metrics.deliveries.inc({ kind, outcome: finished.record.outcome });
    metrics.attemptDuration.observe({ kind }, finished.record.durationMs / 1000);
  }

  private log(message: string, error?: unknown): void {
    (this.deps.log ?? ((m, e) => console.error(`dispatch: ${m}`, e ?? "")))(message, error);
  }
}

const backlogOf = (lane: HostLane) => lane.running + lane.waiting.length;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
