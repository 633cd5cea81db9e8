// The runtime's view of warm isolates: which executor holds which function version, how much
// memory each occupies, and which to evict (least recently used) when the pool is over its count
// or memory bound. Keys include the workspace and the hook, so two workspaces (or two hooks of one)
// never share an isolate.
import type { ExecutorProcess } from "./executor-process";

export type PoolEntry = { key: string; executor: ExecutorProcess; footprint: number; busy: number };

export class IsolatePool {
  // A Map iterates in insertion order; re-inserting on use makes the first entry the LRU one.
  private readonly entries = new Map<string, PoolEntry>();

  constructor(
    private readonly maxIsolates: number,
    private readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** One isolate per workspace, hook and version: module state never crosses a hook's edge. */
  static key(workspaceId: string, hookId: string, versionKey: string): string {
    return `${workspaceId.length}:${workspaceId}/${hookId.length}:${hookId}/${versionKey}`;
  }

  get(key: string): PoolEntry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (!entry.executor.alive) {
      this.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  add(key: string, executor: ExecutorProcess): PoolEntry {
    const entry: PoolEntry = { key, executor, footprint: 0, busy: 0 };
    this.entries.set(key, entry);
    executor.versions.add(key);
    return entry;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    entry.executor.versions.delete(key);
  }

  /** Forgets everything a dead executor held. */
  dropExecutor(executor: ExecutorProcess): void {
    for (const key of executor.versions) this.entries.delete(key);
    executor.versions.clear();
  }

  /** Removes least recently used idle entries until the bounds hold; returns them for eviction. */
  overflow(): PoolEntry[] {
    let bytes = 0;
    for (const e of this.entries.values()) bytes += e.footprint;
    const evicted: PoolEntry[] = [];
    for (const entry of this.entries.values()) {
      if (this.entries.size - evicted.length <= this.maxIsolates && bytes <= this.maxBytes) break;
      if (entry.busy > 0) continue;
      evicted.push(entry);
      bytes -= entry.footprint;
    }
    for (const entry of evicted) this.delete(entry.key);
    return evicted;
  }
}
