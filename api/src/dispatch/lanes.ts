// The dispatch worker's scheduling rules: claimed deliveries wait in one lane per destination host,
// and these lanes decide what may start, whether a claim is worth its round trip, and how much it
// may take. Each host's limit moves with how its deliveries end (host-limit.ts), so every rule
// below that speaks of a host's limit or round reads that host's current limit. Pure bookkeeping:
// no I/O, no timers, no clock. The worker (worker.ts) claims, delivers and sleeps, reports how each
// delivery ended, and asks this class what to do.
import { type Feedback, HostLimit, INITIAL_HOST_LIMIT, NEUTRAL } from "./host-limit";

/**
 * The default of deliveries in flight at once per worker process (HOOKRUN_DELIVERY_CONCURRENCY):
 * a few hosts at their ceiling (DEFAULT_HOST_CEILING) at once. One in flight costs a socket and a
 * few KB while it waits; the CPU goes to the ones that finish.
 */
export const DEFAULT_CONCURRENCY = 256;

/** The worker's limits, as its options give them. */
export interface LaneLimits {
  /** Deliveries in flight at once. */
  concurrency: number;
  /** The ceiling of each host's adaptive limit: deliveries in flight to one host at once. */
  perHost: number;
  /** Where an unknown host's limit starts (default INITIAL_HOST_LIMIT, at most perHost). */
  initialPerHost?: number;
  /** Deliveries claimed ahead of free slots, waiting in the lanes. */
  prefetch: number;
}

/**
 * A host's share of the claimed deliveries, in rounds of its limit: one running and two waiting. A
 * waiting delivery starts within two rounds of the host's timeouts (30 s at most), so it finishes
 * inside its 2-minute lease. (A cut after the claim can leave more rounds waiting; the heartbeat
 * renews waiting deliveries' leases too, so they are not lost, only later.)
 */
export const HOST_SHARE = 3;

/**
 * Hosts whose learned limit is remembered after their lane empties: beyond this, the one used
 * longest ago is forgotten (and starts again from the initial limit).
 */
export const REMEMBERED_HOSTS = 10_000;

/**
 * While deliveries wait, a claim waits until this share of the whole room (concurrency + prefetch)
 * is free: claiming for every freed slot would cost a query per delivery.
 */
export const CLAIM_WHEN_FREE = 1 / 4;

/** What the next claim may take: up to `limit` deliveries, none to the `skipped` hosts. */
export interface ClaimBounds {
  limit: number;
  skipped: string[];
}

/** A delivery the lanes let start: the worker runs it and reports `finished(host, id, feedback)`. */
export interface Started<T> {
  host: string;
  id: string;
  item: T;
}

/** One destination host: how many of its deliveries run, and the claimed ones waiting their turn. */
interface Lane<T> {
  running: number;
  waiting: { id: string; item: T }[];
}

export class HostLanes<T> {
  /** Lanes by host. The map's order is the order of turns: a lane that starts one goes to the back. */
  private readonly lanes = new Map<string, Lane<T>>();
  /** The deliveries running, to any host, each with its host's window when it started. */
  private readonly running = new Map<string, number>();
  /** Each host's adaptive limit, kept past its lane (most recently used last). */
  private readonly hostLimits = new Map<string, HostLimit>();
  /** Deliveries waiting, in all lanes together. */
  private waiting = 0;
  /**
   * More may be due in the database. Set at the start, by `moreMayBeDue()` (a NOTIFY, the poll,
   * dead workers' leases handed back), by a claim that filled its limit while a host it reached
   * still has room, and by a host dropping below a full round (a finish, or its limit rising);
   * each claim consumes it.
   */
  private moreDue = true;

  constructor(private readonly limits: LaneLimits) {}

  /** How many deliveries run. */
  get runningCount(): number {
    return this.running.size;
  }

  /** How many claimed deliveries wait for a slot. */
  get waitingCount(): number {
    return this.waiting;
  }

  /** The ids of the waiting deliveries, lane by lane in turn order (their leases need renewing too). */
  waitingIds(): string[] {
    return [...this.lanes.values()].flatMap((lane) => lane.waiting.map((w) => w.id));
  }

  /** Deliveries `host` may have in flight now (its adaptive limit; the initial one if unknown). */
  hostLimit(host: string): number {
    return this.hostLimits.get(host)?.current ?? this.initialLimit;
  }

  private get initialLimit(): number {
    return Math.min(this.limits.initialPerHost ?? INITIAL_HOST_LIMIT, this.limits.perHost);
  }

  /** New work may be due: the next claim is wanted (if there is room worth it). */
  moreMayBeDue(): void {
    this.moreDue = true;
  }

  /** Room for more claimed deliveries: running and waiting together stay under concurrency + prefetch. */
  get room(): number {
    return this.limits.concurrency + this.limits.prefetch - this.running.size - this.waiting;
  }

  /**
   * Whether a claim is worth its round trip: there is room, and either nothing is waiting (a slot
   * would otherwise sit idle) or at least a quarter (CLAIM_WHEN_FREE) of the room is free.
   */
  get claimWorthwhile(): boolean {
    const room = this.room;
    const capacity = this.limits.concurrency + this.limits.prefetch;
    return room > 0 && (this.waiting === 0 || room >= capacity * CLAIM_WHEN_FREE);
  }

  /** Whether the worker should claim now: more may be due and the room is worth a claim. */
  get claimWanted(): boolean {
    return this.moreDue && this.claimWorthwhile;
  }

  /**
   * Begins a claim: consumes the "more may be due" signal (so one that arrives during the claim is
   * kept for the next) and says what the claim may take. Hosts at a full round are skipped; the
   * limit keeps every other host with a lane within its share (HOST_SHARE rounds of its limit, less
   * what it already has), so nothing claimed ever has to be handed back.
   *
   * A host with no lane here may be reached too, and its share is taken as the largest limit's
   * among the lanes (at least the initial limit's): a claim cannot tell which hosts it will reach,
   * and sizing it for the least possible host made a worker with one fast host claim in small
   * pieces, each walking the queue's head (measured: claims of 24 held it to ~1,000/s). Such a new
   * host may then hold more than three rounds of its own, still low, limit: later claims skip it
   * until it drops below a full round, and the heartbeat renews its waiting deliveries' leases.
   */
  beginClaim(): ClaimBounds {
    this.moreDue = false;
    const skipped: string[] = [];
    let largest = this.initialLimit;
    let limit = this.room;
    for (const [host, lane] of this.lanes) {
      largest = Math.max(largest, this.hostLimit(host));
      if (this.atFullRound(host)) skipped.push(host);
      else limit = Math.min(limit, HOST_SHARE * this.hostLimit(host) - backlogOf(lane));
    }
    return { limit: Math.min(limit, HOST_SHARE * largest), skipped };
  }

  /**
   * Ends a claim that returned deliveries to `claimedHosts` (one entry per delivery), once they are
   * enqueued. A claim that filled its limit may have left more behind, worth claiming at once if one
   * of its hosts still has room; the rest would be found only by scanning past hosts skipped now.
   */
  endClaim(claimedHosts: string[], limit: number): void {
    if (claimedHosts.length >= limit && claimedHosts.some((host) => !this.atFullRound(host)))
      this.moreDue = true;
  }

  /**
   * Whether a wake-up naming `hosts` (null: any host) is worth a claim: only if one of them is not
   * at a full round here. The claim skips those hosts, so it would find nothing of theirs, and
   * reaching any other host's work would mean scanning past all of it.
   */
  wakeWorthClaiming(hosts: string[] | null): boolean {
    return hosts === null || hosts.some((host) => !this.atFullRound(host));
  }

  /** A host has a full round (its limit) running or waiting here: claims skip it. */
  atFullRound(host: string): boolean {
    const lane = this.lanes.get(host);
    return lane !== undefined && backlogOf(lane) >= this.hostLimit(host);
  }

  /** Queues a claimed delivery in its host's lane (a new host's lane takes the last turn). */
  enqueue(host: string, id: string, item: T): void {
    const lane = this.lanes.get(host) ?? { running: 0, waiting: [] };
    this.lanes.set(host, lane);
    lane.waiting.push({ id, item });
    this.waiting++;
  }

  /**
   * Takes the waiting deliveries that may start now, counting them as running: slots are free
   * overall (concurrency) and on their host (its limit). Hosts take turns: a lane that starts one
   * moves to the back, so a host with a deep lane cannot keep every slot that frees when the overall
   * limit is what binds. A lane with nothing running or waiting is forgotten on the way.
   */
  startable(): Started<T>[] {
    const started: Started<T>[] = [];
    let startedOne = true;
    while (startedOne && this.running.size < this.limits.concurrency) {
      startedOne = false;
      for (const [host, lane] of [...this.lanes]) {
        if (this.running.size >= this.limits.concurrency) break;
        if (lane.waiting.length > 0 && lane.running < this.hostLimit(host)) {
          const next = lane.waiting.shift() as { id: string; item: T };
          this.waiting--;
          lane.running++;
          this.running.set(next.id, this.limitFor(host).window);
          started.push({ host, id: next.id, item: next.item });
          this.lanes.delete(host);
          this.lanes.set(host, lane);
          startedOne = true;
        } else if (lane.running === 0 && lane.waiting.length === 0) this.lanes.delete(host);
      }
    }
    return started;
  }

  /**
   * A delivery that `startable()` gave out has finished, and `feedback` says how (moving its host's
   * limit). A host that had a full round and now has less (one fewer backlog, or a higher limit)
   * is claimed for again: it may have more due, which claims skipped while it was full.
   */
  finished(host: string, id: string, feedback: Feedback = NEUTRAL): void {
    const window = this.running.get(id);
    this.running.delete(id);
    const lane = this.lanes.get(host);
    if (!lane || window === undefined) return;
    const wasFull = this.atFullRound(host);
    this.limitFor(host).record(feedback, window, wasFull);
    lane.running--;
    if (wasFull && !this.atFullRound(host)) this.moreDue = true;
  }

  /** `host`'s limit, created at the initial one, and marked most recently used. */
  private limitFor(host: string): HostLimit {
    const known = this.hostLimits.get(host);
    this.hostLimits.delete(host);
    const limit = known ?? new HostLimit(this.limits.perHost, this.initialLimit);
    this.hostLimits.set(host, limit);
    if (this.hostLimits.size > REMEMBERED_HOSTS) {
      const oldest = this.hostLimits.keys().next().value as string;
      this.hostLimits.delete(oldest);
    }
    return limit;
  }

  /** Empties every lane's queue (the worker is stopping): what was waiting, to hand back. */
  handBack(): T[] {
    const waiting = [...this.lanes.values()].flatMap((lane) => lane.waiting.splice(0));
    this.waiting = 0;
    return waiting.map((w) => w.item);
  }
}

/** A host's backlog here: its deliveries running and waiting. */
const backlogOf = (lane: Lane<unknown>) => lane.running + lane.waiting.length;
