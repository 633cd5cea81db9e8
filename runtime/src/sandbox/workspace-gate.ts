// How much isolate memory one workspace's running functions may reserve together (the sum of their
// memory limits); further runs of that workspace wait their turn, first come first served. The
// executors' memory is shared by every tenant: one tenant's parallel runs must not fill it.

type Waiter = { weight: number; admit: () => void };

export class WorkspaceGate {
  private readonly reserved = new Map<string, number>();
  private readonly queues = new Map<string, Waiter[]>();

  constructor(private readonly budgetMb: number) {}

  /** Waits until `memoryMb` more fits the workspace's budget; resolves to the release function. */
  async enter(workspaceId: string, memoryMb: number): Promise<() => void> {
    // A single run larger than the budget still runs, alone.
    const weight = Math.min(memoryMb, this.budgetMb);
    const queue = this.queues.get(workspaceId);
    if (!queue && this.fits(workspaceId, weight)) this.reserve(workspaceId, weight);
    else await new Promise<void>((admit) => this.enqueue(workspaceId, { weight, admit }));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(workspaceId, weight);
    };
  }

  /** Memory reserved by the workspace's running functions (for tests and stats). */
  reservedMb(workspaceId: string): number {
    return this.reserved.get(workspaceId) ?? 0;
  }

  private fits(workspaceId: string, weight: number): boolean {
    return this.reservedMb(workspaceId) + weight <= this.budgetMb;
  }

  private reserve(workspaceId: string, weight: number): void {
    this.reserved.set(workspaceId, this.reservedMb(workspaceId) + weight);
  }

  private enqueue(workspaceId: string, waiter: Waiter): void {
    const queue = this.queues.get(workspaceId) ?? [];
    queue.push(waiter);
    this.queues.set(workspaceId, queue);
  }

  private release(workspaceId: string, weight: number): void {
    const left = this.reservedMb(workspaceId) - weight;
    if (left > 0) this.reserved.set(workspaceId, left);
    else this.reserved.delete(workspaceId);
    const queue = this.queues.get(workspaceId);
    while (queue && queue.length > 0 && this.fits(workspaceId, (queue[0] as Waiter).weight)) {
      const next = queue.shift() as Waiter;
      this.reserve(workspaceId, next.weight);
      next.admit();
    }
    if (queue && queue.length === 0) this.queues.delete(workspaceId);
  }
}
