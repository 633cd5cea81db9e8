// An in-process cache of what every request and every ingest reads: API key (or portal session
// credential) hash → key, and a workspace's event catalog and subscribed hooks. It removes three of
// ingest's four queries.
//
// Freshness: an entry lives at most `ttlMs`, but changes do not wait for that. Whatever changes what
// a cache may hold (a key's revocation, hooks, event types, a workspace, a portal session's end)
// does so through changeCatalog (queue/catalog-change.ts); creating a key or a workspace need not,
// as no cache holds anything of it yet. changeCatalog announces the workspace on CACHE_CHANNEL
// (NOTIFY; payload: the workspace id, or "*" for everything): the announcing process drops its
// entries synchronously, before it answers, and every other process drops them as the NOTIFY
// arrives (on commit, about a millisecond later). The TTL only bounds staleness if a NOTIFY is lost
// (a listener reconnecting).
// Until its LISTEN is in place, and after stop(), the cache is inactive and callers read the database.
import type { OpenedDatabase, Unlisten } from "../db/connect";
import type { Role } from "../db/schema";
import { CACHE_CHANNEL } from "../queue";
import type { Catalog } from "./catalog";

/** What authentication needs of a stored key. */
export interface CachedKey {
  id: string;
  role: Role;
  workspaceId: string | null;
  lastUsedAt: Date | null;
  /** Set for a portal session credential: it stops working at this instant, cached or not. */
  portalExpiresAt?: Date;
}

export interface HotCacheOptions {
  /** Upper bound on an entry's life when no NOTIFY arrives (default 5 s). */
  ttlMs?: number;
  /** Most cached keys and workspaces each (default 10,000); beyond that the oldest go first. */
  maxEntries?: number;
}

interface Timed<T> {
  value: T;
  expires: number;
}

export class HotCache {
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly keys = new Map<string, Timed<CachedKey>>();
  private readonly catalogs = new Map<string, Timed<Catalog>>();
  private readonly loading = new Map<string, { epoch: number; promise: Promise<Catalog> }>();
  /** Bumped by every drop: a load that started before a drop must not store what it read. */
  private epoch = 0;
  private unlisten: Unlisten | null = null;
  private active = false;

  constructor(options: HotCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** Starts listening for changes; the cache serves nothing before this resolves. */
  async start(listen: OpenedDatabase["listen"]): Promise<void> {
    this.unlisten = await listen(CACHE_CHANNEL, (payload) => this.drop(payload || "*"));
    this.active = true;
  }

  async stop(): Promise<void> {
    this.active = false;
    this.drop("*");
    const unlisten = this.unlisten;
    this.unlisten = null;
    await unlisten?.();
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Forgets a workspace's keys and catalog ("*": everything). */
  drop(workspaceId: string): void {
    this.epoch++;
    this.loading.clear();
    if (workspaceId === "*") {
      this.keys.clear();
      this.catalogs.clear();
      return;
    }
    this.catalogs.delete(workspaceId);
    for (const [hash, entry] of this.keys)
      if (entry.value.workspaceId === workspaceId) this.keys.delete(hash);
  }

  // --- keys -------------------------------------------------------------------------------------

  key(hash: string): CachedKey | undefined {
    if (!this.active) return undefined;
    const entry = this.keys.get(hash);
    if (!entry) return undefined;
    if (entry.expires <= Date.now()) {
      this.keys.delete(hash);
      return undefined;
    }
    return entry.value;
  }

  /** The epoch to pass to putKey: read it before the query. */
  get currentEpoch(): number {
    return this.epoch;
  }

  putKey(hash: string, value: CachedKey, epochAtRead: number): void {
    if (!this.active || epochAtRead !== this.epoch) return;
    bounded(this.keys, this.maxEntries);
    this.keys.set(hash, { value, expires: Date.now() + this.ttlMs });
  }

  // --- catalogs ---------------------------------------------------------------------------------

  /** True while a fresh catalog of the workspace is held (for tests and diagnostics). */
  hasCatalog(workspaceId: string): boolean {
    const entry = this.catalogs.get(workspaceId);
    return this.active && entry !== undefined && entry.expires > Date.now();
  }

  /** The workspace's catalog, from the cache or read by `load` (one read at a time per workspace). */
  async catalog(workspaceId: string, load: () => Promise<Catalog>): Promise<Catalog> {
    if (!this.active) return load();
    const entry = this.catalogs.get(workspaceId);
    if (entry && entry.expires > Date.now()) return entry.value;
    const pending = this.loading.get(workspaceId);
    if (pending && pending.epoch === this.epoch) return pending.promise;
    const epoch = this.epoch;
    const promise = load().then((value) => {
      if (this.loading.get(workspaceId)?.promise === promise) this.loading.delete(workspaceId);
      if (this.active && epoch === this.epoch) {
        bounded(this.catalogs, this.maxEntries);
        this.catalogs.set(workspaceId, { value, expires: Date.now() + this.ttlMs });
      }
      return value;
    });
    promise.catch(() => {
      if (this.loading.get(workspaceId)?.promise === promise) this.loading.delete(workspaceId);
    });
    this.loading.set(workspaceId, { epoch, promise });
    return promise;
  }
}

function bounded<T>(map: Map<string, T>, max: number): void {
  if (map.size < max) return;
  // Maps iterate in insertion order: the first key is the oldest entry.
  const oldest = map.keys().next().value;
  if (oldest !== undefined) map.delete(oldest);
}
