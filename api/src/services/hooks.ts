// The hook registry: both kinds in one resource, discriminated by `kind`.
import { compileFunction, egressWarnings } from "@hookrun/runtime";
import { type CallbackHook, type FunctionHook, type Hook, parseHookRow } from "../db/hook";
import type { HookUpdate, NewHook, SigningConfig, UrlStateRow } from "../db/schema";
import { resetRate } from "../dispatch/rate-limit";
import { newId } from "../ids";
import { changeCatalog, releaseHookLines } from "../queue";
import type {
  CallbackHookCreateInput,
  FunctionHookCreateInput,
  HookCreateInput,
  HookHealthValue,
  HookPatchInput,
  HookViewValue,
  SigningInputValue,
} from "../schemas/hooks";
import {
  generateSigningSecret,
  graceEnd,
  maskMap,
  maskSecret,
  mergeMap,
  openMap,
  openSecret,
  sealMap,
  sealSecret,
} from "../security/hook-secrets";
import type { Store } from "./context";
import { checkEventSubscriptions } from "./event-subscriptions";
import { checkFilter } from "./filter-rules";
import { hookHealth, NO_ACTIVITY } from "./hook-health";
import { type FailureDetail, failure, isUniqueViolation, type Result, success } from "./result";
import { loadUrlStates, presentUrlStates } from "./url-states";

/**
 * A new function's draft when none is given. The parameter types are declared by the editor (the
 * event union of the hook's event types, the context with its secrets); esbuild strips them.
 */
export const DEFAULT_FUNCTION_SOURCE = `export default async function (event: HookEvent, ctx: HookContext) {
  console.log("received", event.type, event.id);
  return { ok: true };
}
`;

const CALLBACK_ONLY = ["method", "urls", "headers", "timeoutMs", "signing", "fifo", "breaker"] as const;
const FUNCTION_ONLY = ["source", "secrets", "limits"] as const;

const notFound = (id: string) => failure("not_found", `hook ${id} not found`);
const nameTaken = (name: string) =>
  failure("conflict", `a hook named "${name}" already exists in this workspace`);

/**
 * A hook as reads see it (GET hook, invoke, test): from this process's hot cache when it has one,
 * which every change of a hook drops through changeCatalog. Writes use findHook, in their own turn.
 */
export function readHook(store: Store, workspaceId: string, id: string): Promise<Hook | undefined> {
  return store.cache
    ? store.cache.hook(workspaceId, id, () => findHook(store, workspaceId, id))
    : findHook(store, workspaceId, id);
}

/** One hook's 24 h health, from the hot cache when there is one (its staleness: hot-cache.ts). */
function readHealth(store: Store, workspaceId: string, id: string): Promise<HookHealthValue> {
  const load = async () => (await hookHealth(store.db, workspaceId, [id])).get(id) ?? NO_ACTIVITY;
  return store.cache ? store.cache.hookHealth(workspaceId, id, load) : load();
}

/** A callback hook's breaker rows, from the hot cache when there is one (dropped by every change of state). */
function readUrlStates(store: Store, row: Hook): Promise<UrlStateRow[]> {
  if (row.kind !== "callback") return Promise.resolve([]);
  const load = async () => (await loadUrlStates(store.db, [row.id])).get(row.id) ?? [];
  return store.cache ? store.cache.hookUrlStates(row.workspace_id, row.id, load) : load();
}

/** The hook as the database holds it now. */
export async function findHook(store: Store, workspaceId: string, id: string): Promise<Hook | undefined> {
  const row = await store.db
    .selectFrom("hooks")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", id)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  return row && parseHookRow(row);
}

export async function getHook(store: Store, workspaceId: string, id: string): Promise<Result<HookViewValue>> {
  const row = await readHook(store, workspaceId, id);
  if (!row) return notFound(id);
  const [health, urlStates] = await Promise.all([
    readHealth(store, workspaceId, row.id),
    readUrlStates(store, row),
  ]);
  return success(presentHook(store, row, health, urlStates));
}

export async function listHooks(
  store: Store,
  workspaceId: string,
  filter: { kind?: "callback" | "function" | undefined; enabled?: boolean | undefined },
): Promise<HookViewValue[]> {
  let query = store.db
    .selectFrom("hooks")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("deleted_at", "is", null);
  if (filter.kind) query = query.where("kind", "=", filter.kind);
  if (filter.enabled !== undefined) query = query.where("enabled", "=", filter.enabled);
  const rows = (await query.orderBy("created_at", "desc").orderBy("id", "desc").execute()).map(parseHookRow);
  const [health, urlStates] = await Promise.all([
    hookHealth(
      store.db,
      workspaceId,
      rows.map((row) => row.id),
    ),
    loadUrlStates(
      store.db,
      rows.filter((row) => row.kind === "callback").map((row) => row.id),
    ),
  ]);
  return rows.map((row) => presentHook(store, row, health.get(row.id), urlStates.get(row.id)));
}

export async function createHook(
  store: Store,
  workspaceId: string,
  input: HookCreateInput,
): Promise<Result<HookViewValue>> {
  const filter = checkFilter(input.filter);
  if (!filter.ok) return filter;
  const events = await checkEventSubscriptions(store.db, workspaceId, input.events);
  if (!events.ok) return events;
  const id = newId("hk");
  const common = {
    id,
    workspace_id: workspaceId,
    kind: input.kind,
    name: input.name,
    description: input.description,
    events: JSON.stringify(input.events),
    enabled: input.enabled,
    retry: JSON.stringify(input.retry),
    filter: input.filter && JSON.stringify(input.filter),
    rate_limit: input.rateLimit,
  };
  if (input.kind === "callback")
    return insertHook(store, { ...common, ...callbackColumns(store, id, input) });
  return createFunctionHook(store, { ...common, ...functionColumns(store, id, input) }, input.source);
}

function callbackColumns(store: Store, id: string, input: CallbackHookCreateInput): Partial<NewHook> {
  const { secret, config } = splitSigning(input.signing);
  return {
    method: input.method,
    urls: JSON.stringify(input.urls),
    disabled_urls: JSON.stringify([]),
    headers_enc: sealMap(store.box, id, "headers", normalizeHeaders(input.headers)),
    timeout_ms: input.timeoutMs,
    signing: JSON.stringify(config),
    signing_secret_enc: sealSecret(store.box, id, secret ?? generateSigningSecret()),
    fifo: input.fifo,
    breaker_failures: input.breaker.failures,
  };
}

function functionColumns(store: Store, id: string, input: FunctionHookCreateInput): Partial<NewHook> {
  return {
    source: input.source ?? DEFAULT_FUNCTION_SOURCE,
    secrets_enc: sealMap(store.box, id, "secrets", input.secrets),
    limits: JSON.stringify(input.limits),
  };
}

/** A function created with a body goes live at once as version 1, as "CREATE" does in the seeds. */
async function createFunctionHook(
  store: Store,
  row: NewHook,
  source: string | undefined,
): Promise<Result<HookViewValue>> {
  if (source === undefined) return insertHook(store, row);
  const compiled = await compileFunction(source);
  if (!compiled.ok) return failure("invalid", "the function does not compile", compiled.diagnostics);
  try {
    const created = await changeCatalog(store, row.workspace_id, async (tx) => {
      const hook = await tx
        .insertInto("hooks")
        .values({ ...row, live_version: 1 })
        .returningAll()
        .executeTakeFirstOrThrow();
      await tx
        .insertInto("function_versions")
        .values({
          id: newId("fv"),
          workspace_id: hook.workspace_id,
          hook_id: hook.id,
          version: 1,
          source,
          code: compiled.code,
          source_map: compiled.sourceMap,
        })
        .execute();
      return hook;
    });
    return success(presentHook(store, parseHookRow(created)));
  } catch (error) {
    if (isUniqueViolation(error)) return nameTaken(row.name);
    throw error;
  }
}

async function insertHook(store: Store, row: NewHook): Promise<Result<HookViewValue>> {
  try {
    const created = await changeCatalog(store, row.workspace_id, (tx) =>
      tx.insertInto("hooks").values(row).returningAll().executeTakeFirstOrThrow(),
    );
    return success(presentHook(store, parseHookRow(created)));
  } catch (error) {
    if (isUniqueViolation(error)) return nameTaken(row.name);
    throw error;
  }
}

export async function updateHook(
  store: Store,
  workspaceId: string,
  id: string,
  patch: HookPatchInput,
): Promise<Result<HookViewValue>> {
  const row = await findHook(store, workspaceId, id);
  if (!row) return notFound(id);
  const misplaced = misplacedFields(row.kind, patch);
  if (misplaced.length > 0) {
    return failure("invalid", `these fields do not apply to a ${row.kind} hook`, misplaced);
  }
  const filter = checkFilter(patch.filter);
  if (!filter.ok) return filter;
  if (patch.events) {
    const events = await checkEventSubscriptions(store.db, workspaceId, patch.events);
    if (!events.ok) return events;
  }
  const changes =
    row.kind === "callback" ? callbackChanges(store, row, patch) : functionChanges(store, row, patch);
  if (!changes.ok) return changes;
  try {
    const updated = await changeCatalog(store, workspaceId, async (tx) => {
      // No longer FIFO: what its lines held back is due now (the lines' locks before the hook's row).
      if (row.kind === "callback" && row.fifo && patch.fifo === false)
        await releaseHookLines(tx, row.id, row.urls);
      // A new rate (or none) applies to the deliveries already waiting for a slot of the old one.
      if (patch.rateLimit !== undefined && patch.rateLimit !== row.rate_limit)
        await resetRate(tx, id, patch.rateLimit);
      return tx
        .updateTable("hooks")
        .set({ ...commonChanges(row, patch), ...changes.value, updated_at: new Date() })
        .where("id", "=", id)
        .where("workspace_id", "=", workspaceId)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    const hook = parseHookRow(updated);
    const [health, urlStates] = await Promise.all([
      hookHealth(store.db, workspaceId, [id]),
      readUrlStates(store, hook),
    ]);
    return success(presentHook(store, hook, health.get(id), urlStates));
  } catch (error) {
    if (isUniqueViolation(error) && patch.name) return nameTaken(patch.name);
    throw error;
  }
}

function misplacedFields(kind: Hook["kind"], patch: HookPatchInput): FailureDetail[] {
  const foreign = kind === "callback" ? FUNCTION_ONLY : CALLBACK_ONLY;
  return foreign
    .filter((field) => patch[field] !== undefined)
    .map((field) => ({
      path: field,
      message: `applies to ${kind === "callback" ? "function" : "callback"} hooks only`,
    }));
}

function commonChanges(row: Hook, patch: HookPatchInput): HookUpdate {
  const changes: HookUpdate = {
    name: patch.name,
    description: patch.description,
    events: patch.events && JSON.stringify(patch.events),
    retry: patch.retry && JSON.stringify(patch.retry),
    filter: patch.filter && JSON.stringify(patch.filter),
    rate_limit: patch.rateLimit,
  };
  // Enabling by hand clears the reason an automatic disable left behind.
  if (patch.enabled !== undefined && patch.enabled !== row.enabled) {
    Object.assign(changes, {
      enabled: patch.enabled,
      disabled_reason: patch.enabled ? null : "disabled by a user",
      failing_since: null,
    });
  }
  return changes;
}

function callbackChanges(store: Store, row: CallbackHook, patch: HookPatchInput): Result<HookUpdate> {
  const changes: HookUpdate = {
    method: patch.method,
    timeout_ms: patch.timeoutMs,
    fifo: patch.fifo,
    breaker_failures: patch.breaker?.failures,
  };
  if (patch.urls) {
    changes.urls = JSON.stringify(patch.urls);
    // A URL given again (or anew) is live again; 410-disabled URLs that were dropped are forgotten.
    changes.disabled_urls = JSON.stringify([]);
  }
  if (patch.headers) {
    const current = openMap(store.box, row.id, "headers", row.headers_enc);
    const merged = mergeMap(current, normalizeHeaders(patch.headers));
    if (Object.keys(merged).length > 20) return failure("invalid", "a hook has at most 20 headers");
    changes.headers_enc = sealMap(store.box, row.id, "headers", merged);
  }
  if (patch.signing) {
    const { secret, config } = splitSigning(patch.signing);
    changes.signing = JSON.stringify(config);
    if (secret) changes.signing_secret_enc = sealSecret(store.box, row.id, secret);
  }
  return success(changes);
}

function functionChanges(store: Store, row: FunctionHook, patch: HookPatchInput): Result<HookUpdate> {
  const changes: HookUpdate = { source: patch.source };
  if (patch.secrets) {
    const merged = mergeMap(openMap(store.box, row.id, "secrets", row.secrets_enc), patch.secrets);
    if (Object.keys(merged).length > 50) return failure("invalid", "a function has at most 50 secrets");
    changes.secrets_enc = sealMap(store.box, row.id, "secrets", merged);
  }
  if (patch.limits) {
    const limits = { ...row.limits, ...patch.limits };
    if (limits.cpuMs > limits.timeoutMs) {
      return failure("invalid", "the limits are inconsistent", [
        { path: "limits.cpuMs", message: "must not exceed timeoutMs" },
      ]);
    }
    changes.limits = JSON.stringify(limits);
  }
  return success(changes);
}

/** Soft delete: the hook keeps its logs but never receives anything again; pending deliveries are canceled. */
export async function deleteHook(store: Store, workspaceId: string, id: string): Promise<Result<null>> {
  const deleted = await changeCatalog(store, workspaceId, async (tx) => {
    const hook = await tx
      .updateTable("hooks")
      .set({ deleted_at: new Date(), enabled: false, disabled_reason: "deleted" })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", id)
      .where("deleted_at", "is", null)
      .returning("id")
      .executeTakeFirst();
    if (!hook) return false;
    await tx
      .updateTable("deliveries")
      .set({
        status: "canceled",
        finished_at: new Date(),
        updated_at: new Date(),
        last_outcome: "hook_deleted",
      })
      .where("hook_id", "=", id)
      .where("status", "=", "pending")
      .execute();
    return true;
  });
  return deleted ? success(null) : notFound(id);
}

function splitSigning(input: SigningInputValue): { secret: string | undefined; config: SigningConfig } {
  const { secret, ...config } = input;
  return { secret, config };
}

function normalizeHeaders<V>(headers: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/**
 * `health` and `urlStates` (the breaker rows) are read by the caller for the rows it shows; a new
 * hook has neither.
 */
export function presentHook(
  store: Store,
  row: Hook,
  health: HookHealthValue = NO_ACTIVITY,
  urlStates: UrlStateRow[] = [],
): HookViewValue {
  const common = {
    id: row.id,
    name: row.name,
    description: row.description,
    events: row.events,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    retry: row.retry,
    filter: row.filter,
    rateLimit: row.rate_limit,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    health,
  };
  const opened = openedView(store, row);
  if (row.kind === "function") {
    return {
      kind: "function",
      ...common,
      source: row.source,
      liveVersion: row.live_version,
      secrets: opened.masked,
      limits: row.limits,
    };
  }
  const rotating = graceEnd(row, new Date());
  return {
    kind: "callback",
    ...common,
    method: row.method,
    urls: row.urls,
    disabledUrls: row.disabled_urls,
    warnings: opened.warnings,
    headers: opened.masked,
    timeoutMs: row.timeout_ms,
    signing: {
      ...row.signing,
      secret: opened.secretMask,
      rotatingUntil: rotating?.toISOString() ?? null,
    },
    fifo: row.fifo,
    breaker: { failures: row.breaker_failures },
    urlStates: presentUrlStates(row, urlStates),
  };
}

/** What a hook's view shows of its sealed fields and URLs: each costs a decryption or a URL check. */
interface OpenedView {
  /** A function's secrets or a callback's headers, masked. */
  masked: Record<string, string>;
  secretMask: string;
  warnings: string[];
}

/**
 * Worked out once per hook row object: the hot cache hands the same object to every read until the
 * hook changes (a change replaces it), so GETs of an unchanged hook repeat none of this work.
 */
const openedViews = new WeakMap<Hook, OpenedView>();

function openedView(store: Store, row: Hook): OpenedView {
  let view = openedViews.get(row);
  if (view) return view;
  view =
    row.kind === "function"
      ? {
          masked: maskMap(openMap(store.box, row.id, "secrets", row.secrets_enc)),
          secretMask: "",
          warnings: [],
        }
      : {
          masked: maskMap(openMap(store.box, row.id, "headers", row.headers_enc)),
          secretMask: maskSecret(
            row.signing_secret_enc ? openSecret(store.box, row.id, row.signing_secret_enc) : "",
          ),
          warnings: egressWarnings(row.urls, store.egress ?? { allow: [] }),
        };
  openedViews.set(row, view);
  return view;
}
