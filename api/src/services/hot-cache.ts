// An in-process cache of what every request and every ingest reads: API key (or portal session
// credential) hash → key, a workspace's event catalog and subscribed hooks, its name (/v1/me), each
// hook by id (GET hook, invoke, test), and each hook's 24 h health (GET hook). It removes three of
// ingest's four queries and every statement of GET hook and /v1/me.
//
// Freshness: an entry lives at most `ttlMs`, but changes do not wait for that. Whatever changes what
// a cache may hold (a key's revocation, hooks, event types, a workspace, a portal session's end)
// does so through changeCatalog (queue/catalog-change.ts); creating a key or a workspace need not,
// as no cache holds anything of it yet. changeCatalog announces the workspace on CACHE_CHANNEL
// (NOTIFY; payload: the workspace id, or "*" for everything): the announcing process drops its
// entries synchronously, before it answers, and every other process drops them as the NOTIFY
// arrives (on commit, about a millisecond later). The TTL only bounds staleness if a NOTIFY is lost
// (a listener reconnecting).
// Hook health changes with every attempt written, not through changeCatalog: a cached answer is
// dropped when the workspace's attempts NOTIFY (ATTEMPTS_CHANNEL, sent by the statement that writes
// attempts, in any process) arrives, and by this process's invoke right after its attempt commits.
// So a reader sees another process's attempts about a millisecond after they commit; at worst (a
// lost NOTIFY) the answer is `ttlMs` old, and an attempt leaving the 24 h window shows within `ttlMs`.
// A hook's URL states (its breakers) are cached beside it: the worker announces the workspace on
// CACHE_CHANNEL whenever a URL's state changes (dispatch/breaker.ts, breaker-probes.ts).
// Until its LISTEN is in place, and after stop(), the cache is inactive and callers read the database.
import type { OpenedDatabase, Unlisten } from "../db/connect";
import type { Hook } from "../db/hook";
import type { Role, UrlStateRow } from "../db/schema";
import { ATTEMPTS_CHANNEL, CACHE_CHANNEL } from "../queue";
import type { HookHealthValue } from "../schemas/hooks";
import type { Catalog } from "./catalog";
import { bounded, ScopedEntries } from "./scoped-entries";

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
  /** Most cached keys, workspaces, workspace names and hook healths, each (default 10,000); oldest go first. */
  maxEntries?: number;
  /** Most the cached hooks may weigh together, about in bytes (default 32 MiB; see hookBytes). */
  maxHookBytes?: number;
}

/** About what a cached hook holds: its source (up to 256 KiB) and a kilobyte for the rest. */
const hookBytes = (hook: Hook) => 1024 + (hook.kind === "function" ? hook.source.length : 0);

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
  private readonly hooks: ScopedEntries<Hook>;
  private readonly health: ScopedEntries<HookHealthValue>;
  private readonly urlStates: ScopedEntries<UrlStateRow[]>;
  private readonly names: ScopedEntries<string>;
  /** Bumped by every drop: a load that started before a drop must not store what it read. */
  private epoch = 0;
  private unlisten: Unlisten[] = [];
  private active = false;

  constructor(options: HotCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    const ttlMs = this.ttlMs;
    this.hooks = new ScopedEntries({
      ttlMs,
      maxWeight: options.maxHookBytes ?? 32 * 1024 * 1024,
      weigh: hookBytes,
    });
    this.health = new ScopedEntries({ ttlMs, maxWeight: this.maxEntries });
    this.urlStates = new ScopedEntries({ ttlMs, maxWeight: this.maxEntries });
    this.names = new ScopedEntries({ ttlMs, maxWeight: this.maxEntries });
  }

  /** Starts listening for changes; the cache serves nothing before this resolves. */
  async start(listen: OpenedDatabase["listen"]): Promise<void> {
    this.unlisten.push(await listen(CACHE_CHANNEL, (payload) => this.drop(payload || "*")));
    this.unlisten.push(await listen(ATTEMPTS_CHANNEL, (payload) => this.dropHealth(payload || "*")));
    this.active = true;
  }

  async stop(): Promise<void> {
    this.active = false;
    this.drop("*");
    const unlisten = this.unlisten;
    this.unlisten = [];
    for (const stop of unlisten) await stop();
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Forgets a workspace's keys, catalog, hooks, health and name ("*": everything). */
  drop(workspaceId: string): void {
    this.epoch++;
    this.loading.clear();
    this.hooks.drop(workspaceId);
    this.health.drop(workspaceId);
    this.urlStates.drop(workspaceId);
    this.names.drop(workspaceId);
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

  /** A workspace's name (GET /v1/me), from the cache or read by `load`; undefined when it is gone. */
  async workspaceName(
    workspaceId: string,
    load: () => Promise<string | undefined>,
  ): Promise<string | undefined> {
    return this.active ? this.names.read(workspaceId, "name", load) : load();
  }

  // --- hooks and their health -------------------------------------------------------------------

  /** True while a fresh copy of the hook is held (for tests and diagnostics). */
  hasHook(workspaceId: string, id: string): boolean {
    return this.active && this.hooks.get(workspaceId, id) !== undefined;
  }

  /** A hook by id (not deleted), from the cache or read by `load`; undefined when there is none. */
  async hook(
    workspaceId: string,
    id: string,
    load: () => Promise<Hook | undefined>,
  ): Promise<Hook | undefined> {
    return this.active ? this.hooks.read(workspaceId, id, load) : load();
  }

  /** A hook's 24 h health, from the cache or computed by `load`. */
  async hookHealth(
    workspaceId: string,
    hookId: string,
    load: () => Promise<HookHealthValue>,
  ): Promise<HookHealthValue> {
    return this.active ? this.health.read(workspaceId, hookId, load) : load();
  }

  /** A callback hook's breaker rows (its URL states), from the cache or read by `load`. */
  async hookUrlStates(
    workspaceId: string,
    hookId: string,
    load: () => Promise<UrlStateRow[]>,
  ): Promise<UrlStateRow[]> {
    return this.active ? this.urlStates.read(workspaceId, hookId, load) : load();
  }

  /** Forgets a workspace's hook health ("*": all): attempts were written. */
  dropHealth(workspaceId: string): void {
    this.health.drop(workspaceId);
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
