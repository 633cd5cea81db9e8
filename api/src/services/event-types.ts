// The event catalog of a workspace: what can be posted and subscribed to.
import { type Kysely, sql } from "kysely";
import type { Db } from "../db/connect";
import type { Database, EventTypeRow } from "../db/schema";
import { newId } from "../ids";
import { changeCatalog } from "../queue";
import { isReservedEventType } from "../schemas/hook-rules";
import type { HotCache } from "./hot-cache";
import { compileSchema } from "./json-schema";
import { OPERATIONAL_CATALOG, operationalType } from "./operational-types";
import { failure, isUniqueViolation, type Result, success } from "./result";

export interface EventType {
  name: string;
  description: string;
  schema: Record<string, unknown> | null;
  example: unknown;
  /** hookrun's own operational event type: in every workspace, read-only. */
  builtIn: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface EventTypeInput {
  name: string;
  description?: string | undefined;
  schema?: Record<string, unknown> | null | undefined;
  example?: unknown;
}

/** Every new workspace starts with these (seed 000: Post Verification / Post Manual Verification). */
export const DEFAULT_EVENT_TYPES: EventTypeInput[] = [
  {
    name: "verification",
    description: "A verification session finished.",
    example: { sessionId: "ses_123", status: "approved" },
  },
  {
    name: "manual_verification",
    description: "A verification was reviewed by hand.",
    example: { sessionId: "ses_123", status: "approved", reviewer: "agent@example.com" },
  },
];

const present = (row: EventTypeRow): EventType => ({
  name: row.name,
  description: row.description,
  schema: row.schema,
  example: row.example,
  builtIn: false,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const notFound = (name: string) => failure("not_found", `event type "${name}" not found`);

/** Users cannot create, change or delete hookrun's own event types, nor any under its prefix. */
const reserved = (name: string, doing: string) =>
  failure("invalid", `"${name}": event types under "hookrun." are hookrun's own and cannot be ${doing}`, [
    { path: "name", message: "reserved for hookrun's operational events" },
  ]);

export async function seedDefaultEventTypes(db: Kysely<Database>, workspaceId: string): Promise<void> {
  await db
    .insertInto("event_types")
    .values(
      DEFAULT_EVENT_TYPES.map((t) => ({
        id: newId("et"),
        workspace_id: workspaceId,
        name: t.name,
        description: t.description ?? "",
        example: JSON.stringify(t.example),
      })),
    )
    .execute();
}

/** A schema must compile, and an example given beside it must satisfy it. */
function checkSchemaAndExample(schema: Record<string, unknown> | null | undefined, example: unknown) {
  if (!schema) return null;
  const compiled = compileSchema(schema);
  if (!compiled.ok) return failure("invalid", "the schema is not a valid JSON Schema", compiled.details);
  if (example !== undefined && example !== null) {
    const problems = compiled.check(example);
    if (problems.length > 0) return failure("invalid", "the example does not match the schema", problems);
  }
  return null;
}

/** The workspace's own types and hookrun's operational ones, by name. */
export async function listEventTypes(db: Db, workspaceId: string): Promise<EventType[]> {
  const rows = await db
    .selectFrom("event_types")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .orderBy("name")
    .execute();
  // A row under the reserved prefix (made before it was reserved) is shadowed by hookrun's own.
  const own = rows.filter((row) => !isReservedEventType(row.name)).map(present);
  return [...own, ...OPERATIONAL_CATALOG].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function getEventType(db: Db, workspaceId: string, name: string): Promise<Result<EventType>> {
  if (isReservedEventType(name)) {
    const operational = operationalType(name);
    return operational ? success(operational) : notFound(name);
  }
  const row = await db
    .selectFrom("event_types")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("name", "=", name)
    .executeTakeFirst();
  return row ? success(present(row)) : notFound(name);
}

export async function createEventType(
  db: Db,
  workspaceId: string,
  input: EventTypeInput,
  cache: HotCache | undefined,
): Promise<Result<EventType>> {
  if (isReservedEventType(input.name)) return reserved(input.name, "created");
  const invalid = checkSchemaAndExample(input.schema, input.example);
  if (invalid) return invalid;
  try {
    const row = await changeCatalog({ db, cache }, workspaceId, (tx) =>
      tx
        .insertInto("event_types")
        .values({
          id: newId("et"),
          workspace_id: workspaceId,
          name: input.name,
          description: input.description ?? "",
          schema: input.schema ? JSON.stringify(input.schema) : null,
          example: input.example === undefined ? null : JSON.stringify(input.example),
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return success(present(row));
  } catch (error) {
    if (isUniqueViolation(error)) return failure("conflict", `event type "${input.name}" already exists`);
    throw error;
  }
}

export async function updateEventType(
  db: Db,
  workspaceId: string,
  name: string,
  patch: Omit<EventTypeInput, "name">,
  cache: HotCache | undefined,
): Promise<Result<EventType>> {
  if (isReservedEventType(name)) return reserved(name, "changed");
  const current = await getEventType(db, workspaceId, name);
  if (!current.ok) return current;
  const schema = patch.schema === undefined ? current.value.schema : patch.schema;
  const example = patch.example === undefined ? current.value.example : patch.example;
  const invalid = checkSchemaAndExample(schema, example);
  if (invalid) return invalid;
  const row = await changeCatalog({ db, cache }, workspaceId, (tx) =>
    tx
      .updateTable("event_types")
      .set({
        description: patch.description,
        schema:
          patch.schema === undefined
            ? undefined
            : patch.schema === null
              ? null
              : JSON.stringify(patch.schema),
        example: patch.example === undefined ? undefined : JSON.stringify(patch.example),
        updated_at: new Date(),
      })
      .where("workspace_id", "=", workspaceId)
      .where("name", "=", name)
      .returningAll()
      .executeTakeFirst(),
  );
  return row ? success(present(row)) : notFound(name);
}

/** Refused while a live hook subscribes to the type by name, so no hook is left listening to nothing. */
export async function deleteEventType(
  db: Db,
  workspaceId: string,
  name: string,
  cache: HotCache | undefined,
): Promise<Result<null>> {
  if (isReservedEventType(name)) return reserved(name, "deleted");
  const subscribers = await db
    .selectFrom("hooks")
    .select("name")
    .where("workspace_id", "=", workspaceId)
    .where("deleted_at", "is", null)
    .where(sql<boolean>`events @> ${JSON.stringify([name])}::jsonb`)
    .execute();
  if (subscribers.length > 0) {
    return failure(
      "conflict",
      `event type "${name}" is still subscribed to by ${subscribers.length} hook(s)`,
      subscribers.map((h) => ({ path: "hooks", message: h.name })),
    );
  }
  const deleted = await changeCatalog({ db, cache }, workspaceId, (tx) =>
    tx
      .deleteFrom("event_types")
      .where("workspace_id", "=", workspaceId)
      .where("name", "=", name)
      .executeTakeFirst(),
  );
  return deleted.numDeletedRows > 0n ? success(null) : notFound(name);
}
