// Group commit: items submitted at about the same time are written together, by ONE call of
// `write`, and each caller is answered once that write is done (committed). A write per item
// would cap the rate at one commit per item.
// No timer: a write starts at once when fewer than `maxInFlight` are running; what arrives meanwhile
// waits for the next one, so a quiet process pays no latency and a busy one writes in groups.
// One item the database refuses does not fail the others of its group: a failed group is written
// again item by item, and only the item that fails alone is answered with the error.

export interface GroupCommitOptions<I> {
  /** Writes running at once (default 2). */
  maxInFlight?: number;
  /** Most items in one write (default 500). */
  maxItems?: number;
  /** An item's size, and the most one write may carry (the first item always goes, however large). */
  sizeOf?: (item: I) => number;
  maxSize?: number;
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
  private readonly sizeOf: (item: I) => number;
  private readonly maxSize: number;

  /** `write` answers one outcome per item, in the items' order. */
  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    options: GroupCommitOptions<I> = {},
  ) {
    this.maxInFlight = options.maxInFlight ?? 2;
    this.maxItems = options.maxItems ?? 500;
    this.sizeOf = options.sizeOf ?? (() => 0);
    this.maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
  }

  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    const group = this.takeGroup();
    this.inFlight++;
    void this.writeGroup(group).finally(() => {
      this.inFlight--;
      this.next();
    });
    // A full group may have left more behind, and another writer may be free for them.
    this.next();
  }

  private takeGroup(): Pending<I, O>[] {
    let size = 0;
    let n = 0;
    for (const { item } of this.queue) {
      size += this.sizeOf(item);
      if (n > 0 && (n >= this.maxItems || size > this.maxSize)) break;
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
