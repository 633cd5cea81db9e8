// One callback attempt: decrypt the hook's headers and signing secrets, sign, send, and record
// what was sent (secrets redacted) and what came back (the custom header values redacted, should the
// receiver echo them).
import {
  buildCallbackRequest,
  type CallbackEnvelope,
  type EgressOptions,
  redactHeaders,
  secretHeaderNames,
  sendCallback,
} from "@hookrun/runtime";
import type { CallbackHook } from "../db/hook";
import { openMap, signingSecretsAt } from "../security/hook-secrets";
import type { SecretBox } from "../security/secret-box";
import type { AttemptRecord } from "./attempt";
import { type Redactor, secretRedactor } from "./redact-secrets";

/** A callback attempt, whose response (when one came) carries its status for the worker to read. */
export interface CallbackAttempt extends AttemptRecord {
  response: { status: number; headers: Record<string, string>; body: string; bodyTruncated: boolean } | null;
}

export async function runCallback(
  box: SecretBox,
  egress: EgressOptions,
  hook: CallbackHook,
  target: { url: string; deliveryId: string; envelope: CallbackEnvelope },
): Promise<CallbackAttempt> {
  const startedAt = new Date();
  const headers = openMap(box, hook.id, "headers", hook.headers_enc);
  const request = buildCallbackRequest({
    envelope: target.envelope,
    method: hook.method,
    url: target.url,
    headers,
    signing: hook.signing,
    secrets: signingSecretsAt(box, hook, startedAt),
    deliveryId: target.deliveryId,
    now: startedAt,
  });
  // The workspace's own connection pool: no socket is ever shared with another tenant.
  const sent = await sendCallback(egress, request, hook.timeout_ms, hook.workspace_id);
  const redact = secretRedactor(Object.values(headers));
  return {
    kind: "callback",
    outcome: sent.outcome,
    startedAt,
    durationMs: sent.durationMs,
    request: {
      method: request.method,
      url: request.url,
      headers: redactHeaders(request.headers, secretHeaderNames(headers, hook.signing)),
      body: request.body ?? null,
    },
    response:
      sent.status === null
        ? null
        : {
            status: sent.status,
            headers: redactValues(sent.responseHeaders, redact),
            body: redact.text(sent.responseBody),
            bodyTruncated: sent.bodyTruncated,
          },
    error: sent.error ? { message: redact.text(sent.error) } : null,
    retryAfterMs: sent.retryAfterMs,
  };
}

function redactValues(values: Record<string, string>, redact: Redactor): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, redact.text(value)]));
}
