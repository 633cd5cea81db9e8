// Writing down what deliveries did: the attempts and each delivery's next step (done, rescheduled,
// failed or canceled) for a whole batch in one statement, then the hooks' health. What those steps
// are is decided in next-step.ts; this file is the SQL. A crash before the write loses nothing: the
// deliveries are still leased and come back when the lease runs out.
import { sql, type Transaction } from "kysely";
import type { Db } from "../db/connect";
import type { Hook } from "../db/hook";
import type { Database } from "../db/schema";
import { newId } from "../ids";
import { announceAttemptsCall, changeCatalog } from "../queue";
import type { AttemptRecord } from "./attempt";
import type { Finished } from "./deliver";
import {
  type Attempted,
  deliveryUpdate,
  type HealthChanges,
  healthChanges,
  type StreakStep,
} from "./next-step";

type Tx = Transaction<Database>;

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

/** An attempts row (JSON columns as text), as every writer of attempts builds it. */
export function attemptRow(id: string, subject: AttemptSubject, record: AttemptRecord) {
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

/**
 * The batch's attempts, its deliveries' next steps and the live tails' NOTIFY in ONE statement:
 * atomic without a transaction, one round trip, and arrays as parameters so its text is the same
 * for any batch. Only deliveries whose lease is still ours are updated. In the rare batch that
 * changes hooks' health (a 410'd URL, a failing streak begun, ended or too long), the statement and
 * the health commit together in one transaction: whoever sees a delivery settled also sees the URL
 * or hook it disabled, and a failure writes neither (the leases end and the deliveries come back).
 */
export async function recordBatch(db: Db, workerId: string, finished: Finished[]): Promise<void> {
  if (finished.length === 0) return;
  const attempted = finished.filter((f): f is Attempted => f.kind === "attempted");
  const now = new Date();
  const health = healthChanges(attempted, now);
  if (health.streaks.length === 0 && health.goneUrls.length === 0) {
    await writeBatch(db, workerId, finished, attempted);
    return;
  }
  await db.transaction().execute(async (tx) => {
    await writeBatch(tx, workerId, finished, attempted);
    await writeHealth(tx, health, now);
  });
}

async function writeBatch(db: Db, workerId: string, finished: Finished[], attempted: Attempted[]) {
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
  const updates = finished.map((f) => deliveryUpdate(f));
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
        last_outcome = coalesce(v.outcome, d.last_outcome),
        -- No delay: waiting until something releases it (a FIFO line, a URL's breaker). Waiting
        -- for a rate slot that a change of the rate took back meanwhile (rate-limit.ts): due now.
        next_attempt_at = case when v.waiting = 'rate_limit' and d.rate_slot_at is null then now()
          else coalesce(now() + v.delay_ms * interval '1 millisecond', 'infinity') end,
        waiting = case when v.waiting = 'rate_limit' and d.rate_slot_at is null then null else v.waiting end,
        lease_owner = null,
        finished_at = case when v.status = 'pending' then null else now() end,
        updated_at = now()
      from unnest(
        ${updates.map((u) => u.id)}::text[], ${updates.map((u) => u.status)}::text[],
        ${updates.map((u) => u.attempts)}::int[], ${updates.map((u) => u.outcome)}::text[],
        ${updates.map((u) => u.delayMs)}::bigint[], ${updates.map((u) => u.waiting)}::text[])
        as v(id, status, attempts, outcome, delay_ms, waiting)
      where d.id = v.id and d.lease_owner = ${workerId}
      returning d.id
    ),
    -- Tells live tails of these workspaces that attempts were written (delivered on commit).
    notified as (
      select ${announceAttemptsCall(sql.ref("workspace_id"))}
      from (select distinct workspace_id from attempt) as w
    )
    select (select count(*) from delivery) as updated, (select count(*) from notified) as notified`.execute(
    db,
  );
}

/**
 * Writes the hooks' health as next-step.ts decides it: failing streaks started, cleared or ending in
 * a disable, and each URL that answered 410 disabled on its hook. Disabling announces the workspace,
 * so ingest's catalog caches stop sending the hook or URL deliveries (on commit).
 */
async function writeHealth(tx: Tx, { streaks, goneUrls }: HealthChanges, now: Date): Promise<void> {
  // Hook by hook in id order: two workers' transactions then lock hook rows in the same order, so
  // they wait for each other instead of deadlocking.
  const ids = [...new Set([...streaks, ...goneUrls].map((change) => change.hook.id))].sort();
  for (const id of ids) {
    for (const { hook, step } of streaks) if (hook.id === id) await writeStreak(tx, hook, step, now);
    for (const gone of goneUrls) if (gone.hook.id === id) await disableUrl(tx, gone, now);
  }
}

async function disableUrl(tx: Tx, { hook, url, reason }: HealthChanges["goneUrls"][number], now: Date) {
  const entry = JSON.stringify([{ url, at: now.toISOString(), reason }]);
  const listed = JSON.stringify([{ url }]);
  // Appended in SQL, once: two URLs of one hook answering 410 at once must both be recorded, and a
  // URL another worker already disabled is not listed twice.
  await changeCatalog({ db: tx }, hook.workspace_id, (change) =>
    change
      .updateTable("hooks")
      .set({ disabled_urls: sql`coalesce(disabled_urls, '[]'::jsonb) || ${entry}::jsonb` })
      .where("id", "=", hook.id)
      .where(sql<boolean>`not coalesce(disabled_urls @> ${listed}::jsonb, false)`)
      .execute(),
  );
}

async function writeStreak(
  db: Tx,
  hook: Hook,
  step: Exclude<StreakStep, { kind: "keep" }>,
  now: Date,
): Promise<void> {
  switch (step.kind) {
    // Every write of a hook announces its workspace, the streak's too: caches hold whole hook rows.
    case "clear":
    case "start": {
      const starting = step.kind === "start";
      await changeCatalog({ db }, hook.workspace_id, (change) =>
        change
          .updateTable("hooks")
          .set({ failing_since: starting ? now : null })
          .where("id", "=", hook.id)
          .where("failing_since", starting ? "is" : "is not", null)
          .execute(),
      );
      return;
    }
    case "disable":
      await changeCatalog({ db }, hook.workspace_id, (change) =>
        change
          .updateTable("hooks")
          .set({ enabled: false, disabled_reason: step.reason })
          .where("id", "=", hook.id)
          .execute(),
      );
      return;
    default: {
      const unknown: never = step;
      throw new Error(`unknown streak step ${JSON.stringify(unknown)}`);
    }
  }
}
