// Group commit for ingest (services/group-commit.ts): events accepted at about the same time are
// written together, each with its deliveries, in ONE statement, and each caller is answered once its
// event is committed. A statement and a commit per event would cap ingest at what one commit costs;
// PostgreSQL serialises commits that NOTIFY, so one per event would also cap it at one WAL flush per
// event. On PGlite the group is what leaves the worker room on the one connection (issue 16).
import type { Selectable } from "kysely";
import { sql } from "kysely";
import type { Db } from "../db/connect";
import type { DeliveriesTable } from "../db/schema";
import { nextLineSeq, wakePayload, wakeWorkersCall } from "../queue";
import { GroupCommit } from "./group-commit";

export interface NewEvent {
  id: string;
  workspaceId: string;
  type: string;
  /** JSON text. */
  data: string;
  /** JSON text, or null. */
  context: string | null;
  idempotencyKey: string | null;
  /** `inLine`: a FIFO hook's, placed in its URL's line (line_seq, in this order). */
  deliveries: { id: string; hookId: string; target: string; inLine: boolean }[];
  /** Hooks subscribed to the event whose filter turned it away: counted, not delivered. */
  filteredHooks: string[];
}

/** Written, with its delivery rows; or not written because an earlier event holds its idempotency key. */
export type WriteOutcome = { written: true; deliveries: Selectable<DeliveriesTable>[] } | { written: false };

/** Bounds of one statement: rows, and bytes of event JSON (events may be up to the ingest cap each). */
const MAX_GROUP_EVENTS = 500;
const MAX_GROUP_DELIVERIES = 5_000;
const MAX_GROUP_BYTES = 8 * 1024 * 1024;

export class EventWriter {
  private readonly group: GroupCommit<NewEvent, WriteOutcome>;

  constructor(db: Db) {
    this.group = new GroupCommit((events) => insertEvents(db, events), {
      maxItems: MAX_GROUP_EVENTS,
      bounds: [
        { of: (event) => event.deliveries.length, max: MAX_GROUP_DELIVERIES },
        { of: (event) => event.data.length + (event.context?.length ?? 0), max: MAX_GROUP_BYTES },
      ],
    });
  }

  /** Writes the event (with others arriving meanwhile); resolves once it is committed, or not written. */
  write(event: NewEvent): Promise<WriteOutcome> {
    return this.group.submit(event);
  }
}

/**
 * The events, their deliveries and the workers' wake-up in one statement: atomic without a
 * transaction, and arrays as parameters, so the statement is the same text for any group size.
 * An event whose idempotency key is taken (by an earlier event, or earlier in this group) is not
 * written, and neither are its deliveries. Operational events (operational-events.ts) are written
 * with it too, inside the transaction of the change they report.
 */
export async function insertEvents(db: Db, events: NewEvent[]): Promise<WriteOutcome[]> {
  const deliveries = events.flatMap((e) =>
    e.deliveries.map((d) => ({ ...d, eventId: e.id, ws: e.workspaceId })),
  );
  const filtered = events.flatMap((e) => e.filteredHooks.map((hookId) => ({ hookId, event: e })));
  const { rows } = await sql<Selectable<DeliveriesTable> & { written_event: string }>`
    with event as (
      insert into events (id, workspace_id, type, data, context, idempotency_key)
      select * from unnest(
        ${events.map((e) => e.id)}::text[],
        ${events.map((e) => e.workspaceId)}::text[],
        ${events.map((e) => e.type)}::text[],
        ${events.map((e) => e.data)}::jsonb[],
        ${events.map((e) => e.context)}::jsonb[],
        ${events.map((e) => e.idempotencyKey)}::text[])
      on conflict (workspace_id, idempotency_key) where idempotency_key is not null do nothing
      returning id
    ),
    delivery as (
      insert into deliveries (id, workspace_id, event_id, hook_id, target, status, line_seq)
      select d.id, d.workspace_id, d.event_id, d.hook_id, d.target, 'pending',
        -- Taken row by row in the arrays' order: the group's ingest order.
        case when d.in_line then ${nextLineSeq()} end
      from unnest(
        ${deliveries.map((d) => d.id)}::text[],
        ${deliveries.map((d) => d.ws)}::text[],
        ${deliveries.map((d) => d.eventId)}::text[],
        ${deliveries.map((d) => d.hookId)}::text[],
        ${deliveries.map((d) => d.target)}::text[],
        ${deliveries.map((d) => d.inLine)}::boolean[])
        as d(id, workspace_id, event_id, hook_id, target, in_line)
      where d.event_id in (select id from event)
      returning *
    ),
    -- Filtered-out events counted per hook and hour, for the hook's stats: no write per event.
    -- Hook order, so two statements counting the same hooks lock their rows in the same order.
    filtered as (
      insert into hook_filter_counts (workspace_id, hook_id, hour, events)
      select f.workspace_id, f.hook_id, date_trunc('hour', now()), count(*)
      from unnest(
        ${filtered.map((f) => f.event.workspaceId)}::text[],
        ${filtered.map((f) => f.event.id)}::text[],
        ${filtered.map((f) => f.hookId)}::text[]) as f(workspace_id, event_id, hook_id)
      where f.event_id in (select id from event)
      group by f.workspace_id, f.hook_id
      order by f.hook_id
      on conflict (hook_id, hour) do update set events = hook_filter_counts.events + excluded.events
    ),
    -- Delivered to listeners when the statement commits; only when there is work.
    wake as (
      select ${wakeWorkersCall(wakePayload(deliveries.map((d) => d.target)))}
      from (select 1 from delivery limit 1) as any_delivery
    )
    select event.id as written_event, delivery.*
    from event left join delivery on delivery.event_id = event.id
    where (select count(*) from wake) >= 0
    order by delivery.id`.execute(db);
  const written = new Map<string, Selectable<DeliveriesTable>[]>();
  for (const { written_event, ...delivery } of rows) {
    const list = written.get(written_event) ?? [];
    if (delivery.id !== null) list.push(delivery);
    written.set(written_event, list);
  }
  return events.map((e) => {
    const rowsOf = written.get(e.id);
    return rowsOf ? { written: true, deliveries: rowsOf } : { written: false };
  });
}
