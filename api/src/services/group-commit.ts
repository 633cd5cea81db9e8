// Group commit: items submitted at about the same time are written together, by ONE call of
// `write`, and each caller is answered once that write is done (committed). A write per item
// would cap the rate at one commit per item.
// No timer: a write starts at the end of the event loop's turn (setImmediate) when fewer than
// `maxInFlight` are running, so everything submitted in that turn joins it; what arrives meanwhile
// waits for the next one. A quiet process pays one turn of latency and a busy one writes in groups.
// The turn matters on PGlite: its statements run synchronously, so a write started at once would
// hold one item and every caller would pay a statement of its own (issue 16: ingest then starved
// delivery).
// One item the database refuses does not fail the others of its group: a failed group is written
// again item by item, and only the item that fails alone is answered with the error.

export interface GroupCommitOptions<I> {
  /** Writes running at once (default 2). */
  maxInFlight?: number;
  /** Most items in one write (default 500). */
  maxItems?: number;
  /**
   * Further bounds of one write, each a measure of an item and the most a write may carry of it
   * (rows, bytes...). The first item of a write always goes, however large.
   */
  bounds?: { of: (item: I) => number; max: number }[];
}

interface Pending<I, O> {
  item: I;
  resolve: (outcome: O) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<I, O> {
  private queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly maxItems: number;
  private readonly bounds: NonNullable<GroupCommitOptions<I>["bounds"]>;
  /** A write is scheduled for the end of this turn. */
  private gathering = false;

  /** `write` answers one outcome per item, in the items' order. */
  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    options: GroupCommitOptions<I> = {},
  ) {
    this.maxInFlight = options.maxInFlight ?? 2;
    this.maxItems = options.maxItems ?? 500;
    this.bounds = options.bounds ?? [];
  }

  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.gather();
    });
  }

  /** Starts writing at the end of this turn of the event loop, with everything queued by then. */
  private gather(): void {
    if (this.gathering) return;
    this.gathering = true;
    setImmediate(() => {
      this.gathering = false;
      this.next();
    });
  }

  private next(): void {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    const group = this.takeGroup();
    this.inFlight++;
    void this.writeGroup(group).finally(() => {
      this.inFlight--;
      this.gather();
    });
    // A full group may have left more behind, and another writer may be free for them.
    this.next();
  }

  private takeGroup(): Pending<I, O>[] {
    const totals = this.bounds.map(() => 0);
    let n = 0;
    for (const { item } of this.queue) {
      for (const [i, bound] of this.bounds.entries()) totals[i] = (totals[i] ?? 0) + bound.of(item);
      const full = n >= this.maxItems || this.bounds.some((bound, i) => (totals[i] ?? 0) > bound.max);
      if (n > 0 && full) break;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async writeGroup(group: Pending<I, O>[]): Promise<void> {
    let outcomes: O[];
    try {
      outcomes = await this.write(group.map((p) => p.item));
    } catch (error) {
      if (group.length === 1) {
        group[0]?.reject(error);
        return;
      }
      await Promise.all(group.map((p) => this.writeGroup([p])));
      return;
    }
    for (const [i, p] of group.entries()) p.resolve(outcomes[i] as O);
  }
}
