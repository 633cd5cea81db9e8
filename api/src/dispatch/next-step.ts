// What follows an attempt, decided without I/O: the delivery's next step (done, retried after a
// delay, failed, canceled) and what the batch's attempts do to their hooks (a failing streak
// started, cleared, or grown long enough to disable the hook; a URL that answered 410 disabled).
// record.ts writes these decisions down.
import { failingTooLong, nextAttemptDelayMs, shouldGiveUp } from "@hookrun/runtime";
import type { Hook } from "../db/hook";
import type { DeliveryStatus, DeliveryWaiting } from "../db/schema";
import { type AttemptRecord, gone, succeeded } from "./attempt";
import type { Finished } from "./deliver";

export type Attempted = Extract<Finished, { kind: "attempted" }>;

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

/**
 * A delivery's row after a finished run: due again in `delayMs` when still pending (null: never,
 * until something releases it), with the outcome of its last attempt (null: unchanged) and why it
 * waits without an attempt (null: it does not).
 */
export interface DeliveryUpdate {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  outcome: string | null;
  delayMs: number | null;
  waiting: DeliveryWaiting | null;
}

/**
 * A canceled delivery keeps its attempt count; a waiting one keeps its count and last outcome (waiting
 * is not an attempt); an attempted one counts the attempt and steps on.
 */
export function deliveryUpdate(
  finished: Finished,
  random: () => number = Math.random,
  now: Date = new Date(),
): DeliveryUpdate {
  const { delivery } = finished;
  if (finished.kind === "canceled") {
    return {
      id: delivery.id,
      status: "canceled",
      attempts: delivery.attempts,
      outcome: finished.reason,
      delayMs: 0,
      waiting: null,
    };
  }
  if (finished.kind === "waiting") {
    return {
      id: delivery.id,
      status: "pending",
      attempts: delivery.attempts,
      outcome: null,
      delayMs: finished.until ? Math.max(0, finished.until.getTime() - now.getTime()) : null,
      waiting: finished.why,
    };
  }
  const attempts = delivery.attempts + 1;
  const step = nextStep(
    finished.record,
    attempts,
    finished.hook.retry.maxAttempts,
    delivery.last_outcome,
    random,
  );
  return {
    id: delivery.id,
    status: step.status,
    attempts,
    outcome: finished.record.outcome,
    delayMs: step.delayMs,
    waiting: null,
  };
}

/** What an attempt does to its hook's failing streak. */
export type StreakStep =
  | { kind: "clear" }
  | { kind: "start" }
  | { kind: "disable"; reason: string }
  | { kind: "keep" };

/** A success clears a streak; a failure starts one, and a streak of 5 days disables the hook. */
export function streakStep(failingSince: Date | null, success: boolean, now: Date): StreakStep {
  if (success) return failingSince ? { kind: "clear" } : { kind: "keep" };
  if (!failingSince) return { kind: "start" };
  if (failingTooLong(failingSince, now))
    return {
      kind: "disable",
      reason: `disabled automatically: failing continuously since ${failingSince.toISOString()}`,
    };
  return { kind: "keep" };
}

export interface HealthChanges {
  /**
   * Per hook, decided by its latest attempt in the batch (`by`, which operational events name);
   * hooks whose streak stays are left out.
   */
  streaks: { hook: Hook; step: Exclude<StreakStep, { kind: "keep" }>; by: Attempted }[];
  /** Each URL that answered 410 Gone (`by` that attempt), to be disabled on its hook. */
  goneUrls: { hook: Hook; url: string; reason: string; by: Attempted }[];
}

export function healthChanges(attempted: Attempted[], now: Date): HealthChanges {
  const latest = new Map<string, Attempted>();
  for (const f of attempted) latest.set(f.hook.id, f);
  const streaks: HealthChanges["streaks"] = [];
  for (const by of latest.values()) {
    const step = streakStep(by.hook.failing_since, succeeded(by.record), now);
    if (step.kind !== "keep") streaks.push({ hook: by.hook, step, by });
  }
  // One entry per hook and URL, however many of the batch's deliveries to it answered 410.
  const gone410 = new Map<string, HealthChanges["goneUrls"][number]>();
  for (const a of attempted)
    if (gone(a.record))
      gone410.set(`${a.hook.id} ${a.delivery.target}`, {
        hook: a.hook,
        url: a.delivery.target,
        reason: "the receiver answered 410 Gone",
        by: a,
      });
  return { streaks, goneUrls: [...gone410.values()] };
}
