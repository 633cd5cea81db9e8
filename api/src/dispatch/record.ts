// Writing down what deliveries did: the attempts and each delivery's next step (done, rescheduled,
// failed or canceled) for a whole batch in one statement, then the hooks' health. What those steps
// are is decided in next-step.ts; this file is the SQL. A crash before the write loses nothing: the
// deliveries are still leased and come back when the lease runs out.
import { sql, type Transaction } from "kysely";
import type { Db } from "../db/connect";
import type { Hook } from "../db/hook";
import type { Database } from "../db/schema";
import { newId } from "../ids";
import { announceAttemptsCall, changeCatalog, distinctLines, type Line, releaseLineHeads } from "../queue";
import {
  deliveryExhausted,
  emitOperational,
  hookDisabled,
  type OperationalEvent,
  urlDisabled,
} from "../services/operational-events";
import type { AttemptRecord } from "./attempt";
import { type BreakerDeps, breakerEvents, breakerWrites, writeBreaker } from "./breaker";
import { DEFAULT_COOLDOWN_MS } from "./breaker-rule";
import type { Finished } from "./deliver";
import { parkedByFifoGate } from "./fifo";
import {
  type Attempted,
  type DeliveryUpdate,
  deliveryUpdate,
  type HealthChanges,
  healthChanges,
  type StreakStep,
} from "./next-step";
import { exhaustedBy, exhaustedReason, stillOurs, subjectOf } from "./operational";

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
 * changes hooks' health (a 410'd URL, a failing streak begun, ended or too long) or a URL's circuit
 * breaker (a failure, or an answer from a URL that had failed: breaker.ts), or fails a delivery for
 * good, the statement, the health and the breaker commit together in one transaction: whoever sees a
 * delivery settled also sees the URL or hook it disabled or opened, and a failure writes none (the
 * leases end and the deliveries come back). The operational events these changes emit are written in
 * that transaction too (services/operational-events.ts).
 */
export async function recordBatch(
  db: Db,
  workerId: string,
  batch: Finished[],
  options: RecordOptions = {},
): Promise<void> {
  // The FIFO gate wrote its parks itself; written again here, a park could land after the line
  // released the delivery and this same worker claimed it anew, and undo that claim.
  const finished = batch.filter((f) => !parkedByFifoGate(f));
  if (finished.length === 0) return;
  const attempted = finished.filter((f): f is Attempted => f.kind === "attempted");
  const now = new Date();
  const updates = finished.map((f) => deliveryUpdate(f));
  const health = healthChanges(attempted, now);
  const exhausted = exhaustedBy(finished, updates);
  // URLs that failed, or answered after failing (breaker.ts): none in a batch of healthy successes.
  const urlLines = breakerWrites(attempted);
  const quiet = health.streaks.length === 0 && health.goneUrls.length === 0;
  if (quiet && exhausted.length === 0 && urlLines.length === 0) {
    await writeBatch(db, workerId, attempted, updates);
  } else {
    const breaker = options.breaker ?? { cooldownMs: DEFAULT_COOLDOWN_MS };
    await db.transaction().execute(async (tx) => {
      const failedByUs = await stillOurs(tx, workerId, exhausted);
      await writeBatch(tx, workerId, attempted, updates);
      const changed = await writeHealth(tx, health, now);
      const failed = failedByUs.map((a) => deliveryExhausted(subjectOf(a), exhaustedReason(a)));
      const transitions = await writeBreaker(tx, urlLines, breaker);
      const circuits = breakerEvents(transitions, breaker);
      await emitOperational(tx, [...changed, ...failed, ...circuits], options.operationsWorkspace ?? null);
    });
  }
  // Once committed (see queue/fifo-lines.ts): the next of each FIFO line whose delivery ended here.
  await releaseLineHeads(db, linesMovingOn(finished, updates));
}

export interface RecordOptions {
  /** HOOKRUN_OPERATIONS_WORKSPACE: receives a copy of every operational event. */
  operationsWorkspace?: string | null;
  /** The circuit breaker's cool-down and metrics (default: the production cool-down, no metrics). */
  breaker?: BreakerDeps;
}

/** The FIFO lines whose delivery in this batch ended (succeeded, dead, canceled): the next may go. */
function linesMovingOn(finished: Finished[], updates: DeliveryUpdate[]): Line[] {
  return distinctLines(
    finished
      .filter((f, i) => f.delivery.line_seq !== null && updates[i]?.status !== "pending")
      .map((f) => ({ hookId: f.delivery.hook_id, target: f.delivery.target })),
  );
}

async function writeBatch(db: Db, workerId: string, attempted: Attempted[], updates: DeliveryUpdate[]) {
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
 * so ingest's catalog caches stop sending the hook or URL deliveries (on commit). Answers the
 * operational events of the disables that happened (not those another worker or the user made first).
 */
async function writeHealth(
  tx: Tx,
  { streaks, goneUrls }: HealthChanges,
  now: Date,
): Promise<OperationalEvent[]> {
  // Hook by hook in id order: two workers' transactions then lock hook rows in the same order, so
  // they wait for each other instead of deadlocking.
  const ids = [...new Set([...streaks, ...goneUrls].map((change) => change.hook.id))].sort();
  const events: OperationalEvent[] = [];
  for (const id of ids) {
    for (const { hook, step, by } of streaks)
      if (hook.id === id && (await writeStreak(tx, hook, step, now)) && step.kind === "disable")
        events.push(hookDisabled(subjectOf(by), step.reason));
    for (const gone of goneUrls)
      if (gone.hook.id === id && (await disableUrl(tx, gone, now)))
        events.push(urlDisabled(subjectOf(gone.by)));
  }
  return events;
}

/** Disables the URL on its hook; false when it already was. */
async function disableUrl(
  tx: Tx,
  { hook, url, reason }: HealthChanges["goneUrls"][number],
  now: Date,
): Promise<boolean> {
  const entry = JSON.stringify([{ url, at: now.toISOString(), reason }]);
  const listed = JSON.stringify([{ url }]);
  // Appended in SQL, once: two URLs of one hook answering 410 at once must both be recorded, and a
  // URL another worker already disabled is not listed twice.
  const disabled = await changeCatalog({ db: tx }, hook.workspace_id, (change) =>
    change
      .updateTable("hooks")
      .set({ disabled_urls: sql`coalesce(disabled_urls, '[]'::jsonb) || ${entry}::jsonb` })
      .where("id", "=", hook.id)
      .where(sql<boolean>`not coalesce(disabled_urls @> ${listed}::jsonb, false)`)
      .executeTakeFirst(),
  );
  return disabled.numUpdatedRows > 0n;
}

/** Writes the streak's step; true when it disabled the hook. */
async function writeStreak(
  db: Tx,
  hook: Hook,
  step: Exclude<StreakStep, { kind: "keep" }>,
  now: Date,
): Promise<boolean> {
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
      return false;
    }
    case "disable": {
      // Only an enabled hook: one the user or another worker disabled first keeps its reason, and
      // the disable is reported once.
      const disabled = await changeCatalog({ db }, hook.workspace_id, (change) =>
        change
          .updateTable("hooks")
          .set({ enabled: false, disabled_reason: step.reason })
          .where("id", "=", hook.id)
          .where("enabled", "=", true)
          .executeTakeFirst(),
      );
      return disabled.numUpdatedRows > 0n;
    }
    default: {
      const unknown: never = step;
      throw new Error(`unknown streak step ${JSON.stringify(unknown)}`);
    }
  }
}
