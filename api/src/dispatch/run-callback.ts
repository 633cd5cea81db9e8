// One callback attempt: decrypt the hook's headers and signing secrets, sign, send, and record
// what was sent (secrets redacted) and what came back.
import {
  buildCallbackRequest,
  type CallbackEnvelope,
  type EgressOptions,
  redactHeaders,
  secretHeaderNames,
  sendCallback,
} from "@hookrun/runtime";
import type { HookRow } from "../db/schema";
import type { SecretBox } from "../security/secret-box";
import { openMap, signingSecretsAt } from "../services/hook-secrets";
import type { AttemptRecord } from "./attempt";

export async function runCallback(
  box: SecretBox,
  egress: EgressOptions,
  hook: HookRow,
  target: { url: string; deliveryId: string; envelope: CallbackEnvelope },
): Promise<AttemptRecord> {
  const startedAt = new Date();
  const headers = openMap(box, hook.id, "headers", hook.headers_enc);
  const signing = hook.signing ?? { scheme: "standard-webhooks" };
  const request = buildCallbackRequest({
    envelope: target.envelope,
    method: hook.method ?? "POST",
    url: target.url,
    headers,
    signing,
    secrets: signingSecretsAt(box, hook, startedAt),
    deliveryId: target.deliveryId,
    now: startedAt,
  });
  const sent = await sendCallback(egress, request, hook.timeout_ms ?? 10_000);
  return {
    kind: "callback",
    outcome: sent.outcome,
    startedAt,
    durationMs: sent.durationMs,
    request: {
      method: request.method,
      url: request.url,
      headers: redactHeaders(request.headers, secretHeaderNames(headers, signing)),
      body: request.body ?? null,
    },
    response:
      sent.status === null
        ? null
        : {
            status: sent.status,
            headers: sent.responseHeaders,
            body: sent.responseBody,
            bodyTruncated: sent.bodyTruncated,
          },
    error: sent.error ? { message: sent.error } : null,
    retryAfterMs: sent.retryAfterMs,
  };
}
