// Workspaces: one tenant each. Creating one also seeds its event catalog.
import type { Db } from "../db/connect";
import type { WorkspaceRow } from "../db/schema";
import { newId } from "../ids";
import { changeCatalog } from "../queue";
import { seedDefaultEventTypes } from "./event-types";
import type { HotCache } from "./hot-cache";
import { fetchPageRows, type Page, type PageRequest, toPage } from "./pagination";
import { failure, isUniqueViolation, type Result, success } from "./result";

export interface Workspace {
  id: string;
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

export interface WorkspaceInput {
  name: string;
  description?: string | undefined;
}

const present = (row: WorkspaceRow): Workspace => ({
  id: row.id,
  name: row.name,
  description: row.description,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const nameTaken = (name: string) => failure("conflict", `a workspace named "${name}" already exists`);

/** Announces nothing: no cache holds anything of a workspace that did not exist. */
export async function createWorkspace(db: Db, input: WorkspaceInput): Promise<Result<Workspace>> {
  try {
    const row = await db.transaction().execute(async (tx) => {
      const created = await tx
        .insertInto("workspaces")
        .values({ id: newId("ws"), name: input.name, description: input.description ?? "" })
        .returningAll()
        .executeTakeFirstOrThrow();
      await seedDefaultEventTypes(tx, created.id);
      return created;
    });
    return success(present(row));
  } catch (error) {
    if (isUniqueViolation(error)) return nameTaken(input.name);
    throw error;
  }
}

export async function listWorkspaces(db: Db, page: PageRequest): Promise<Result<Page<Workspace>>> {
  const rows = await fetchPageRows(db.selectFrom("workspaces").selectAll(), page);
  return rows.ok ? success(toPage(rows.value, page.limit, present)) : rows;
}

export async function getWorkspace(db: Db, id: string): Promise<Result<Workspace>> {
  const row = await db.selectFrom("workspaces").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? success(present(row)) : failure("not_found", `workspace ${id} not found`);
}

export async function updateWorkspace(
  db: Db,
  id: string,
  patch: Partial<WorkspaceInput>,
  cache: HotCache | undefined,
): Promise<Result<Workspace>> {
  try {
    const row = await changeCatalog({ db, cache }, id, (tx) =>
      tx
        .updateTable("workspaces")
        .set({ ...patch, updated_at: new Date() })
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirst(),
    );
    return row ? success(present(row)) : failure("not_found", `workspace ${id} not found`);
  } catch (error) {
    if (isUniqueViolation(error) && patch.name) return nameTaken(patch.name);
    throw error;
  }
}

/** Deletes the workspace and, by cascade, everything in it: hooks, keys, events, logs. */
export async function deleteWorkspace(
  db: Db,
  id: string,
  cache: HotCache | undefined,
): Promise<Result<null>> {
  const deleted = await changeCatalog({ db, cache }, id, (tx) =>
    tx.deleteFrom("workspaces").where("id", "=", id).executeTakeFirst(),
  );
  return deleted.numDeletedRows > 0n ? success(null) : failure("not_found", `workspace ${id} not found`);
}
