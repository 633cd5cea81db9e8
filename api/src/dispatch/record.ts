// Writing down what deliveries did: the attempts and each delivery's next step (done, rescheduled,
// failed or canceled) for a whole batch in one statement, then the hooks' health. A crash before the
// write loses nothing: the deliveries are still leased and come back when the lease runs out.
import { failingTooLong, nextAttemptDelayMs, shouldGiveUp } from "@hookrun/runtime";
import { sql, type Transaction } from "kysely";
import type { Db } from "../db/connect";
import type { Hook } from "../db/hook";
import type { Database, DeliveryStatus } from "../db/schema";
import { newId } from "../ids";
import { announceChange } from "../services/hot-cache";
import { type AttemptRecord, gone, succeeded } from "./attempt";
import type { Finished } from "./deliver";

type Tx = Transaction<Database>;

/** NOTIFY channel for new attempts (payload: the workspace id), for the logs' live tail. */
export const ATTEMPTS_CHANNEL = "hookrun_attempts";

type Attempted = Extract<Finished, { kind: "attempted" }>;

export interface AttemptSubject {
  workspaceId: string;
  hookId: string;
  eventId: string | null;
  eventType: string | null;
  deliveryId: string | null;
  attempt: number;
  trigger: "delivery" | "invoke";
}

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

type AttemptRow = ReturnType<typeof attemptRow>;

function attemptRow(id: string, subject: AttemptSubject, record: AttemptRecord) {
  return {
    id,
    workspace_id: subject.workspaceId,
    delivery_id: subject.deliveryId,
    event_id: subject.eventId,
    hook_id: subject.hookId,
    kind: record.kind,
    trigger: subject.trigger,
    event_type: subject.eventType,
    attempt: subject.attempt,
    outcome: record.outcome,
    started_at: record.startedAt,
    duration_ms: record.durationMs,
    request: json(record.request),
    response: json(record.response),
    result: json(record.result),
    logs: json(record.logs),
    error: json(record.error),
    cpu_ms: record.cpuMs ?? null,
    heap_bytes: record.heapBytes ?? null,
  };
}

/** One attempt outside any delivery (invoke). */
export async function insertAttempt(
  db: Db | Tx,
  subject: AttemptSubject,
  record: AttemptRecord,
): Promise<string> {
  const id = newId("att");
  await db
    .insertInto("attempts")
    .values(attemptRow(id, subject, record))
    .execute();
  // Tells the workspace's live tails (delivered on commit).
  await sql`select pg_notify(${ATTEMPTS_CHANNEL}, ${subject.workspaceId})`.execute(db);
  return id;
}

/**
 * What happens to the delivery after this attempt. The egress guard's refusal ("blocked") is
 * retried once, on the schedule's first step (a name may resolve elsewhere in a moment); refused a
 * second time in a row, the target resolves where the guard will keep refusing until the operator
 * changes HOOKRUN_EGRESS_ALLOW, which a restart applies, so the delivery fails instead of retrying
 * for a day. A retry by hand attempts it again.
 */
export function nextStep(
  record: AttemptRecord,
  attemptsSoFar: number,
  maxAttempts: number,
  previousOutcome: string | null = null,
  random: () => number = Math.random,
): { status: DeliveryStatus; delayMs: number } {
  if (succeeded(record)) return { status: "succeeded", delayMs: 0 };
  const blockedAgain = record.outcome === "blocked" && previousOutcome === "blocked";
  if (gone(record) || blockedAgain || shouldGiveUp(attemptsSoFar, maxAttempts))
    return { status: "failed", delayMs: 0 };
  const delayMs = nextAttemptDelayMs(attemptsSoFar, { random, retryAfterMs: record.retryAfterMs ?? null });
  return delayMs === null ? { status: "failed", delayMs: 0 } : { status: "pending", delayMs };
}

interface DeliveryUpdate {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  outcome: string;
  delayMs: number;
}

function updateOf(finished: Finished): DeliveryUpdate {
  const { delivery } = finished;
  if (finished.kind === "canceled") {
    return {
      id: delivery.id,
      status: "canceled",
      attempts: delivery.attempts,
      outcome: finished.reason,
      delayMs: 0,
    };
  }
  const attempts = delivery.attempts + 1;
  const step = nextStep(finished.record, attempts, finished.hook.retry.maxAttempts, delivery.last_outcome);
  return {
    id: delivery.id,
    status: step.status,
    attempts,
    outcome: finished.record.outcome,
    delayMs: step.delayMs,
  };
}

/**
 * The batch's attempts, its deliveries' next steps and the live tails' NOTIFY in ONE statement:
 * atomic without a transaction, one round trip, and arrays as parameters so its text is the same
 * for any batch. Only deliveries whose lease is still ours are updated. Hooks' health follows, in
 * the rare batch that changes it.
 */
export async function recordBatch(db: Db, workerId: string, finished: Finished[]): Promise<void> {
  if (finished.length === 0) return;
  const attempted = finished.filter((f): f is Attempted => f.kind === "attempted");
  const rows = attempted.map((f) =>
    attemptRow(
      newId("att"),
      {
        workspaceId: f.delivery.workspace_id,
        hookId: f.hook.id,
        eventId: f.delivery.event_id,
        eventType: f.eventType,
        deliveryId: f.delivery.id,
        attempt: f.delivery.attempts + 1,
        trigger: "delivery",
      },
      f.record,
    ),
  );
  const updates = finished.map(updateOf);
  const column = <K extends keyof AttemptRow>(key: K) => rows.map((r) => r[key]);
  await sql`
    with attempt as (
      insert into attempts (id, workspace_id, delivery_id, event_id, hook_id, kind, trigger, event_type,
        attempt, outcome, started_at, duration_ms, request, response, result, logs, error, cpu_ms, heap_bytes)
      select * from unnest(
        ${column("id")}::text[], ${column("workspace_id")}::text[], ${column("delivery_id")}::text[],
        ${column("event_id")}::text[], ${column("hook_id")}::text[], ${column("kind")}::text[],
        ${column("trigger")}::text[], ${column("event_type")}::text[], ${column("attempt")}::int[],
        ${column("outcome")}::text[], ${rows.map((r) => r.started_at.toISOString())}::timestamptz[],
        ${column("duration_ms")}::int[], ${column("request")}::jsonb[], ${column("response")}::jsonb[],
        ${column("result")}::jsonb[], ${column("logs")}::jsonb[], ${column("error")}::jsonb[],
        ${column("cpu_ms")}::float8[], ${column("heap_bytes")}::bigint[])
      returning workspace_id
    ),
    delivery as (
      update deliveries as d set
        status = v.status,
        attempts = v.attempts,
        last_outcome = v.outcome,
        next_attempt_at = now() + v.delay_ms * interval '1 millisecond',
        lease_owner = null,
        finished_at = case when v.status = 'pending' then null else now() end,
        updated_at = now()
      from unnest(
        ${updates.map((u) => u.id)}::text[], ${updates.map((u) => u.status)}::text[],
        ${updates.map((u) => u.attempts)}::int[], ${updates.map((u) => u.outcome)}::text[],
        ${updates.map((u) => u.delayMs)}::bigint[]) as v(id, status, attempts, outcome, delay_ms)
      where d.id = v.id and d.lease_owner = ${workerId}
      returning d.id
    ),
    -- Tells live tails of these workspaces that attempts were written (delivered on commit).
    notified as (
      select pg_notify(${ATTEMPTS_CHANNEL}, workspace_id) from (select distinct workspace_id from attempt) as w
    )
    select (select count(*) from delivery) as updated, (select count(*) from notified) as notified`.execute(
    db,
  );
  await updateHookHealth(db, attempted);
}

/**
 * A success clears a hook's failing streak; a failure starts one, and a streak of 5 days disables
 * the hook (saying why). The latest attempt of each hook in the batch decides. A 410 disables the
 * one URL that answered it.
 */
async function updateHookHealth(db: Db, attempted: Attempted[]): Promise<void> {
  const now = new Date();
  const latest = new Map<string, Attempted>();
  for (const f of attempted) latest.set(f.hook.id, f);
  for (const { hook, record } of latest.values()) await updateStreak(db, hook, succeeded(record), now);
  for (const f of attempted.filter((a) => gone(a.record))) {
    const entry = JSON.stringify([
      { url: f.delivery.target, at: now.toISOString(), reason: "the receiver answered 410 Gone" },
    ]);
    // Appended in SQL: two URLs of one hook answering 410 at once must both be recorded.
    await db
      .updateTable("hooks")
      .set({ disabled_urls: sql`coalesce(disabled_urls, '[]'::jsonb) || ${entry}::jsonb` })
      .where("id", "=", f.hook.id)
      .execute();
    // Ingest's catalog caches stop sending this URL deliveries (on commit).
    await announceChange(db, f.hook.workspace_id);
  }
}

async function updateStreak(db: Db, hook: Hook, success: boolean, now: Date): Promise<void> {
  if (success) {
    if (hook.failing_since)
      await db.updateTable("hooks").set({ failing_since: null }).where("id", "=", hook.id).execute();
  } else if (!hook.failing_since) {
    await db
      .updateTable("hooks")
      .set({ failing_since: now })
      .where("id", "=", hook.id)
      .where("failing_since", "is", null)
      .execute();
  } else if (failingTooLong(hook.failing_since, now)) {
    await db
      .updateTable("hooks")
      .set({
        enabled: false,
        disabled_reason: `disabled automatically: failing continuously since ${hook.failing_since.toISOString()}`,
      })
      .where("id", "=", hook.id)
      .execute();
    await announceChange(db, hook.workspace_id);
  }
}
