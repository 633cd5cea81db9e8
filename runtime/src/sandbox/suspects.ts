// Function versions that brought an executor down recently. Their runs go to an executor of their
// own (one run, one process) until the suspicion lapses, so doing it again costs nobody else.
// Suspicion lapses only with time: behaving once must not buy the way back beside other tenants.

export const SUSPECT_FOR_MS = 10 * 60_000;

export class Suspects {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly forMs = SUSPECT_FOR_MS,
    private readonly now: () => number = Date.now,
    /** Bounded: the oldest suspicion goes first when full. */
    private readonly max = 10_000,
  ) {}

  mark(key: string): void {
    this.until.delete(key);
    if (this.until.size >= this.max) {
      const oldest = this.until.keys().next();
      if (!oldest.done) this.until.delete(oldest.value);
    }
    this.until.set(key, this.now() + this.forMs);
  }

  has(key: string): boolean {
    const until = this.until.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(key);
    return false;
  }

  get size(): number {
    return this.until.size;
  }
}
