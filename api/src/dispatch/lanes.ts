// The dispatch worker's scheduling rules: claimed deliveries wait in one lane per destination host,
// and these lanes decide what may start, whether a claim is worth its round trip, and how much it
// may take. Pure bookkeeping: no I/O, no timers, no clock. The worker (worker.ts) claims, delivers
// and sleeps, and asks this class what to do.

/** The worker's limits, as its options give them. */
export interface LaneLimits {
  /** Deliveries in flight at once. */
  concurrency: number;
  /** Deliveries in flight to one host at once. */
  perHost: number;
  /** Deliveries claimed ahead of free slots, waiting in the lanes. */
  prefetch: number;
}

/**
 * A host's share of the claimed deliveries, in rounds of perHost: one running and two waiting. A
 * waiting delivery starts within two rounds of the host's timeouts (30 s at most), so it finishes
 * inside its 2-minute lease.
 */
export const HOST_SHARE = 3;

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

/** A delivery the lanes let start: the worker runs it and reports `finished(host, id)`. */
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
  /** The ids of the deliveries running, to any host. */
  private readonly running = new Set<string>();
  /** Deliveries waiting, in all lanes together. */
  private waiting = 0;
  /**
   * More may be due in the database. Set at the start, by `moreMayBeDue()` (a NOTIFY, the poll,
   * dead workers' leases handed back), by a claim that filled its limit while a host it reached
   * still has room, and by a host dropping below a full round; each claim consumes it.
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
   * limit keeps every other host, known or new, within its share (HOST_SHARE rounds, less what the
   * heaviest of them already has), so nothing claimed ever has to be handed back.
   */
  beginClaim(): ClaimBounds {
    this.moreDue = false;
    const skipped: string[] = [];
    let heaviest = 0;
    for (const [host, lane] of this.lanes) {
      const backlog = backlogOf(lane);
      if (backlog >= this.limits.perHost) skipped.push(host);
      else heaviest = Math.max(heaviest, backlog);
    }
    return { limit: Math.min(this.room, this.limits.perHost * HOST_SHARE - heaviest), skipped };
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

  /** A host has a full round (perHost) running or waiting here: claims skip it. */
  atFullRound(host: string): boolean {
    const lane = this.lanes.get(host);
    return lane !== undefined && backlogOf(lane) >= this.limits.perHost;
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
   * overall (concurrency) and on their host (perHost). Hosts take turns: a lane that starts one
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
        if (lane.waiting.length > 0 && lane.running < this.limits.perHost) {
          const next = lane.waiting.shift() as { id: string; item: T };
          this.waiting--;
          lane.running++;
          this.running.add(next.id);
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
   * A delivery that `startable()` gave out has finished (however it ended). A host that had exactly
   * a full round and now has one less is claimed for again: it may have more due, which claims
   * skipped while it was full.
   */
  finished(host: string, id: string): void {
    this.running.delete(id);
    const lane = this.lanes.get(host);
    if (!lane) return;
    lane.running--;
    if (backlogOf(lane) === this.limits.perHost - 1) this.moreDue = true;
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
