// Carries out one claimed delivery: runs its target (a URL or a function) and says what happened.
// Writing the outcome down is the recorder's job, batched across deliveries.
import type { EgressOptions, FunctionRuntime } from "@hookrun/runtime";
import type { Hook } from "../db/hook";
import type { DeliveryWaiting } from "../db/schema";
import type { ClaimedDelivery } from "../queue";
import type { SecretBox } from "../security/secret-box";
import { type AttemptRecord, succeeded } from "./attempt";
import type { BatchContext } from "./batch";
import { toEnvelope } from "./envelope";
import { type Feedback, NEUTRAL } from "./host-limit";
import { type CallbackAttempt, runCallback } from "./run-callback";
import { runFunction } from "./run-function";

export interface DeliverDeps {
  box: SecretBox;
  egress: EgressOptions;
  runtime: FunctionRuntime;
}

export type Finished =
  | { kind: "attempted"; delivery: ClaimedDelivery; hook: Hook; eventType: string; record: AttemptRecord }
  | { kind: "canceled"; delivery: ClaimedDelivery; reason: string }
  /** Held back by a gate (admission.ts) without an attempt: pending again, until `until` or released. */
  | { kind: "waiting"; delivery: ClaimedDelivery; hook: Hook; why: DeliveryWaiting; until: Date | null };

/** A finished delivery, and what it says about its host's capacity (see host-limit.ts). */
export interface Delivered {
  finished: Finished;
  feedback: Feedback;
}

/** The statuses by which a receiver says it has too much: back off, as for a timeout. */
const OVERLOAD_STATUSES = new Set([429, 503]);

export async function deliver(
  deps: DeliverDeps,
  delivery: ClaimedDelivery,
  batch: BatchContext,
): Promise<Delivered> {
  const event = batch.events.get(delivery.event_id);
  const hook = batch.hooks.get(delivery.hook_id);
  const reason = event ? cancelReason(hook, delivery) : "event_missing";
  if (reason || !event || !hook)
    return { finished: { kind: "canceled", delivery, reason: reason ?? "hook_deleted" }, feedback: NEUTRAL };
  const admission = batch.admissions.get(delivery.id);
  if (admission?.kind === "wait") {
    const { why, until } = admission;
    return { finished: { kind: "waiting", delivery, hook, why, until }, feedback: NEUTRAL };
  }
  if (admission?.notBefore) await sleepUntil(admission.notBefore);
  const envelope = toEnvelope(event);
  if (hook.kind === "callback") {
    const record = await runCallback(deps.box, deps.egress, hook, {
      url: delivery.target,
      deliveryId: delivery.id,
      envelope,
    });
    const finished: Finished = { kind: "attempted", delivery, hook, eventType: event.type, record };
    return { finished, feedback: callbackFeedback(record) };
  }
  const code = batch.code.get(hook.id);
  if (!code)
    return { finished: { kind: "canceled", delivery, reason: "no_live_version" }, feedback: NEUTRAL };
  const invocation = { event: envelope, attempt: delivery.attempts + 1, deliveryId: delivery.id };
  const record = await runFunction(deps.box, deps.runtime, hook, code, invocation);
  // A function's failure is its own code's doing, not the runtime's capacity: only success counts.
  const feedback: Feedback = succeeded(record) ? { kind: "success", durationMs: record.durationMs } : NEUTRAL;
  return { finished: { kind: "attempted", delivery, hook, eventType: event.type, record }, feedback };
}

/** 2xx is success; 429, 503, a timeout or a failed connection is overload; anything else says nothing. */
function callbackFeedback(record: CallbackAttempt): Feedback {
  if (succeeded(record)) return { kind: "success", durationMs: record.durationMs };
  const status = record.response?.status;
  const overloaded =
    status === undefined
      ? record.outcome === "timeout" || record.outcome === "network_error"
      : OVERLOAD_STATUSES.has(status);
  return overloaded ? { kind: "overload" } : NEUTRAL;
}

/** Why a delivery must not be attempted any more, if it must not. */
export function cancelReason(hook: Hook | undefined, delivery: ClaimedDelivery): string | null {
  if (!hook || hook.deleted_at) return "hook_deleted";
  if (!hook.enabled) return "hook_disabled";
  if (hook.kind === "callback" && !hook.urls.includes(delivery.target)) return "url_removed";
  // A function hook has no URLs, so none of them is disabled.
  if (hook.kind === "callback" && hook.disabled_urls.some((d) => d.url === delivery.target))
    return "url_disabled";
  return null;
}

function sleepUntil(moment: Date): Promise<void> {
  const ms = moment.getTime() - Date.now();
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
