// Cached values grouped by workspace, for the hot cache's hooks and hook health: a workspace's
// entries are dropped together, and a value read before a drop of its workspace is never stored
// after it (each workspace's group carries the generation it was made in).

interface Timed<T> {
  value: T;
  expires: number;
}

interface Group<T> {
  generation: number;
  entries: Map<string, Timed<T>>;
}

export class ScopedEntries<T> {
  private readonly groups = new Map<string, Group<T>>();
  /** Bumped by every drop; a new group takes the current value as its generation. */
  private generations = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  /** A fresh value, or undefined. */
  get(workspaceId: string, id: string): T | undefined {
    const entry = this.groups.get(workspaceId)?.entries.get(id);
    if (!entry || entry.expires <= Date.now()) return undefined;
    return entry.value;
  }

  /** The token to pass to put: read it before the read whose result is put. */
  generation(workspaceId: string): number {
    return this.groups.get(workspaceId)?.generation ?? this.generations;
  }

  /** Stores `value` unless the workspace was dropped since `generation` was taken. */
  put(workspaceId: string, id: string, value: T, generation: number): void {
    let group = this.groups.get(workspaceId);
    if (!group) {
      if (generation !== this.generations) return;
      bounded(this.groups, this.maxEntries);
      group = { generation, entries: new Map() };
      this.groups.set(workspaceId, group);
    }
    if (group.generation !== generation) return;
    bounded(group.entries, this.maxEntries);
    group.entries.set(id, { value, expires: Date.now() + this.ttlMs });
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
    if (workspaceId === "*") this.groups.clear();
    else this.groups.delete(workspaceId);
  }
}

/** Makes room for one more entry: Maps iterate in insertion order, so the first is the oldest. */
export function bounded<T>(map: Map<string, T>, max: number): void {
  if (map.size < max) return;
  const oldest = map.keys().next().value;
  if (oldest !== undefined) map.delete(oldest);
}
