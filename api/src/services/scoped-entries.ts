// Cached values grouped by workspace, for the hot cache's hooks and hook health: a workspace's
// entries are dropped together, and a value read before a drop of its workspace is never stored
// after it (each workspace's group carries the generation it was made in). What all groups hold
// together is bounded by weight (an entry's `weigh`, 1 by default): a full cache forgets the oldest
// workspace's oldest entries first, and an expired entry is forgotten when it is next looked up.

interface Timed<T> {
  value: T;
  expires: number;
  weight: number;
}

export interface ScopedEntriesOptions<T> {
  ttlMs: number;
  /** The most all entries may weigh together. */
  maxWeight: number;
  /** An entry's weight (default 1: maxWeight is then a count). */
  weigh?: (value: T) => number;
}

interface Group<T> {
  generation: number;
  entries: Map<string, Timed<T>>;
}

export class ScopedEntries<T> {
  private readonly groups = new Map<string, Group<T>>();
  /** Bumped by every drop; a new group takes the current value as its generation. */
  private generations = 0;
  /** What every entry of every group weighs together. */
  private total = 0;

  constructor(private readonly options: ScopedEntriesOptions<T>) {}

  /** What the entries weigh together (for tests and diagnostics). */
  get weight(): number {
    return this.total;
  }

  /** A fresh value, or undefined. */
  get(workspaceId: string, id: string): T | undefined {
    const group = this.groups.get(workspaceId);
    const entry = group?.entries.get(id);
    if (!group || !entry) return undefined;
    if (entry.expires > Date.now()) return entry.value;
    this.remove(workspaceId, group, id, entry);
    return undefined;
  }

  /** The token to pass to put: read it before the read whose result is put. */
  generation(workspaceId: string): number {
    return this.groups.get(workspaceId)?.generation ?? this.generations;
  }

  /** Stores `value` unless the workspace was dropped since `generation` was taken. */
  put(workspaceId: string, id: string, value: T, generation: number): void {
    const known = this.groups.get(workspaceId);
    if (known ? known.generation !== generation : generation !== this.generations) return;
    const weight = this.options.weigh?.(value) ?? 1;
    if (weight > this.options.maxWeight) return;
    const replaced = known?.entries.get(id);
    if (known && replaced) this.remove(workspaceId, known, id, replaced);
    this.makeRoom(weight);
    let group = this.groups.get(workspaceId);
    if (!group) {
      group = { generation, entries: new Map() };
      this.groups.set(workspaceId, group);
    }
    group.entries.set(id, { value, expires: Date.now() + this.options.ttlMs, weight });
    this.total += weight;
  }

  /** Forgets the oldest workspace's oldest entries until `weight` more fits. */
  private makeRoom(weight: number): void {
    while (this.total + weight > this.options.maxWeight) {
      const [workspaceId, group] = this.groups.entries().next().value ?? [];
      if (!workspaceId || !group) return;
      const [id, entry] = group.entries.entries().next().value ?? [];
      if (id === undefined || !entry) this.groups.delete(workspaceId);
      else this.remove(workspaceId, group, id, entry);
    }
  }

  private remove(workspaceId: string, group: Group<T>, id: string, entry: Timed<T>): void {
    group.entries.delete(id);
    this.total -= entry.weight;
    if (group.entries.size === 0) this.groups.delete(workspaceId);
  }

  /** The cached value, or what `load` reads (stored unless the workspace is dropped meanwhile). */
  async read<R extends T | undefined>(
    workspaceId: string,
    id: string,
    load: () => Promise<R>,
  ): Promise<T | R> {
    const known = this.get(workspaceId, id);
    if (known !== undefined) return known;
    const generation = this.generation(workspaceId);
    const value = await load();
    if (value !== undefined) this.put(workspaceId, id, value, generation);
    return value;
  }

  /** Forgets a workspace's entries ("*": every workspace's). */
  drop(workspaceId: string): void {
    this.generations++;
    if (workspaceId === "*") {
      this.groups.clear();
      this.total = 0;
      return;
    }
    const group = this.groups.get(workspaceId);
    if (!group) return;
    for (const entry of group.entries.values()) this.total -= entry.weight;
    this.groups.delete(workspaceId);
  }
}

/** Makes room for one more entry: Maps iterate in insertion order, so the first is the oldest. */
export function bounded<T>(map: Map<string, T>, max: number): void {
  if (map.size < max) return;
  const oldest = map.keys().next().value;
  if (oldest !== undefined) map.delete(oldest);
}
