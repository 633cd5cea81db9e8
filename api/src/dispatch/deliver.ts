// Carries out one claimed delivery: runs its target (a URL or a function) and says what happened.
// Writing the outcome down is the recorder's job, batched across deliveries.
import type { EgressOptions, FunctionRuntime } from "@hookrun/runtime";
import type { Hook } from "../db/hook";
import type { ClaimedDelivery } from "../queue";
import type { SecretBox } from "../security/secret-box";
import type { AttemptRecord } from "./attempt";
import type { BatchContext } from "./batch";
import { toEnvelope } from "./envelope";
import { runCallback } from "./run-callback";
import { runFunction } from "./run-function";

export interface DeliverDeps {
  box: SecretBox;
  egress: EgressOptions;
  runtime: FunctionRuntime;
}

export type Finished =
  | { kind: "attempted"; delivery: ClaimedDelivery; hook: Hook; eventType: string; record: AttemptRecord }
  | { kind: "canceled"; delivery: ClaimedDelivery; reason: string };

export async function deliver(
  deps: DeliverDeps,
  delivery: ClaimedDelivery,
  batch: BatchContext,
): Promise<Finished> {
  const event = batch.events.get(delivery.event_id);
  const hook = batch.hooks.get(delivery.hook_id);
  const reason = event ? cancelReason(hook, delivery) : "event_missing";
  if (reason || !event || !hook) return { kind: "canceled", delivery, reason: reason ?? "hook_deleted" };
  const envelope = toEnvelope(event);
  if (hook.kind === "callback") {
    const record = await runCallback(deps.box, deps.egress, hook, {
      url: delivery.target,
      deliveryId: delivery.id,
      envelope,
    });
    return { kind: "attempted", delivery, hook, eventType: event.type, record };
  }
  const code = batch.code.get(hook.id);
  if (!code) return { kind: "canceled", delivery, reason: "no_live_version" };
  const invocation = { event: envelope, attempt: delivery.attempts + 1, deliveryId: delivery.id };
  const record = await runFunction(deps.box, deps.runtime, hook, code, invocation);
  return { kind: "attempted", delivery, hook, eventType: event.type, record };
}

/** Why a delivery must not be attempted any more, if it must not. */
function cancelReason(hook: Hook | undefined, delivery: ClaimedDelivery): string | null {
  if (!hook || hook.deleted_at) return "hook_deleted";
  if (!hook.enabled) return "hook_disabled";
  if (hook.kind === "callback" && !hook.urls.includes(delivery.target)) return "url_removed";
  // A function hook has no URLs, so none of them is disabled.
  if (hook.kind === "callback" && hook.disabled_urls.some((d) => d.url === delivery.target))
    return "url_disabled";
  return null;
}
