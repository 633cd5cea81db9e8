// Function hooks: a draft that must compile, frozen into numbered versions, one of them live.
import { compileFunction } from "@hookrun/runtime";
import { newId } from "../ids";
import { changeCatalog } from "../queue";
import type { HookViewValue } from "../schemas/hooks";
import type { Store } from "./context";
import { findHook, getHook } from "./hooks";
import { failure, type Result, success } from "./result";

export interface FunctionVersion {
  version: number;
  live: boolean;
  source: string;
  createdAt: string;
}

async function findFunctionHook(store: Store, workspaceId: string, id: string) {
  const row = await findHook(store, workspaceId, id);
  if (!row) return failure("not_found", `hook ${id} not found`);
  if (row.kind !== "function")
    return failure("invalid", `hook ${id} is a callback hook, not a function hook`);
  return success(row);
}

/** Saves the draft only when it compiles; the diagnostics carry line and column otherwise. */
export async function saveSource(
  store: Store,
  workspaceId: string,
  id: string,
  source: string,
): Promise<Result<HookViewValue>> {
  const hook = await findFunctionHook(store, workspaceId, id);
  if (!hook.ok) return hook;
  const compiled = await compileFunction(source);
  if (!compiled.ok) return failure("invalid", "the function does not compile", compiled.diagnostics);
  await changeCatalog(store, workspaceId, (tx) =>
    tx.updateTable("hooks").set({ source, updated_at: new Date() }).where("id", "=", id).execute(),
  );
  // Read back like any GET, so the answer carries the hook's health too.
  return getHook(store, workspaceId, id);
}

/** Freezes the draft as a new live version, or makes an existing version live again (rollback). */
export async function deploy(
  store: Store,
  workspaceId: string,
  id: string,
  rollbackTo?: number,
): Promise<Result<FunctionVersion>> {
  const hook = await findFunctionHook(store, workspaceId, id);
  if (!hook.ok) return hook;
  if (rollbackTo !== undefined) return rollback(store, workspaceId, id, rollbackTo);
  const source = hook.value.source;
  const compiled = await compileFunction(source);
  if (!compiled.ok) return failure("invalid", "the draft does not compile", compiled.diagnostics);
  const created = await changeCatalog(store, workspaceId, async (tx) => {
    // Lock the hook row so two deploys at once number their versions one after the other.
    await tx.selectFrom("hooks").select("id").where("id", "=", id).forUpdate().executeTakeFirstOrThrow();
    const latest = await tx
      .selectFrom("function_versions")
      .select((eb) => eb.fn.max("version").as("max"))
      .where("hook_id", "=", id)
      .executeTakeFirst();
    // Deploying the draft that is already live changes nothing: the live version answers, and no
    // duplicate version is made.
    const live = await tx
      .selectFrom("function_versions")
      .selectAll()
      .where("hook_id", "=", id)
      .where("version", "=", hook.value.live_version ?? 0)
      .executeTakeFirst();
    if (live && live.source === source) return live;
    const version = (latest?.max ?? 0) + 1;
    const row = await tx
      .insertInto("function_versions")
      .values({
        id: newId("fv"),
        workspace_id: workspaceId,
        hook_id: id,
        version,
        source,
        code: compiled.code,
        source_map: compiled.sourceMap,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx
      .updateTable("hooks")
      .set({ live_version: version, updated_at: new Date() })
      .where("id", "=", id)
      .execute();
    return row;
  });
  return success({
    version: created.version,
    live: true,
    source: created.source,
    createdAt: created.created_at.toISOString(),
  });
}

async function rollback(
  store: Store,
  workspaceId: string,
  id: string,
  version: number,
): Promise<Result<FunctionVersion>> {
  const row = await store.db
    .selectFrom("function_versions")
    .selectAll()
    .where("hook_id", "=", id)
    .where("version", "=", version)
    .executeTakeFirst();
  if (!row) return failure("not_found", `version ${version} of hook ${id} not found`);
  await changeCatalog(store, workspaceId, (tx) =>
    tx
      .updateTable("hooks")
      .set({ live_version: version, updated_at: new Date() })
      .where("id", "=", id)
      .execute(),
  );
  return success({
    version: row.version,
    live: true,
    source: row.source,
    createdAt: row.created_at.toISOString(),
  });
}

export async function listVersions(
  store: Store,
  workspaceId: string,
  id: string,
): Promise<Result<FunctionVersion[]>> {
  const hook = await findFunctionHook(store, workspaceId, id);
  if (!hook.ok) return hook;
  const rows = await store.db
    .selectFrom("function_versions")
    .select(["version", "source", "created_at"])
    .where("hook_id", "=", id)
    .orderBy("version", "desc")
    .execute();
  return success(
    rows.map((r) => ({
      version: r.version,
      live: r.version === hook.value.live_version,
      source: r.source,
      createdAt: r.created_at.toISOString(),
    })),
  );
}
