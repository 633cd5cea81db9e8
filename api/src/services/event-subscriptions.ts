// Which events a hook listens to: exact names from the catalog, or patterns ("insight.*", "*").
import type { Db } from "../db/connect";
import { isPattern } from "../schemas/hook-rules";
import { operationalType } from "./operational-types";
import { failure, type Result, success } from "./result";

/**
 * Exact names must be in the workspace's catalog (hookrun's operational types are in every one);
 * patterns may also cover types added later.
 */
export async function checkEventSubscriptions(
  db: Db,
  workspaceId: string,
  subscriptions: string[],
): Promise<Result<null>> {
  const exact = subscriptions.filter((s) => !isPattern(s) && !operationalType(s));
  if (exact.length === 0) return success(null);
  const known = await db
    .selectFrom("event_types")
    .select("name")
    .where("workspace_id", "=", workspaceId)
    .where("name", "in", exact)
    .execute();
  const knownNames = new Set(known.map((k) => k.name));
  const unknown = exact.filter((name) => !knownNames.has(name));
  if (unknown.length === 0) return success(null);
  return failure(
    "invalid",
    `unknown event type(s): ${unknown.join(", ")}`,
    unknown.map((name) => ({ path: "events", message: `"${name}" is not in the event catalog` })),
  );
}
