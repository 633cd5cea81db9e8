// One function attempt: the given version's compiled code, the hook's secrets and limits, run in
// the sandbox. Outcomes map onto the log's vocabulary ("ok" is "success" there, as for callbacks).
// The secrets' values are redacted from what the code printed, threw and returned.
import type { FunctionRuntime, RunError, RunOutcome } from "@hookrun/runtime";
import type { FunctionHook } from "../db/hook";
import { openMap } from "../security/hook-secrets";
import type { SecretBox } from "../security/secret-box";
import type { AttemptRecord } from "./attempt";
import { type Redactor, secretRedactor } from "./redact-secrets";

export interface FunctionCode {
  /** Unique per code: the sandbox keeps one warm isolate per key. */
  versionKey: string;
  code: string;
  sourceMap: string;
}

export async function runFunction(
  box: SecretBox,
  runtime: FunctionRuntime,
  hook: FunctionHook,
  fn: FunctionCode,
  invocation: { event: unknown; attempt: number; deliveryId: string },
): Promise<AttemptRecord> {
  const startedAt = new Date();
  const secrets = openMap(box, hook.id, "secrets", hook.secrets_enc);
  const outcome = await runtime.run({
    workspaceId: hook.workspace_id,
    versionKey: fn.versionKey,
    code: fn.code,
    sourceMap: fn.sourceMap,
    event: invocation.event,
    ctx: {
      secrets,
      hook: { id: hook.id, name: hook.name },
      attempt: invocation.attempt,
      deliveryId: invocation.deliveryId,
    },
    limits: hook.limits,
  });
  return toAttempt(outcome, startedAt, secretRedactor(Object.values(secrets)));
}

function toAttempt(outcome: RunOutcome, startedAt: Date, redact: Redactor): AttemptRecord {
  return {
    kind: "function",
    outcome: outcome.status === "ok" ? "success" : outcome.status,
    startedAt,
    durationMs: Math.round(outcome.wallMs),
    request: null,
    response: null,
    result: outcome.resultTruncated ? { truncated: true } : redact.json(outcome.result ?? null),
    logs: {
      lines: outcome.logs.map((line) => ({ ...line, message: redact.text(line.message) })),
      truncated: outcome.logsTruncated,
    },
    error: outcome.error ? redactError(outcome.error, redact) : null,
    cpuMs: outcome.cpuMs,
    heapBytes: outcome.heapBytes,
    retryAfterMs: null,
  };
}

function redactError(error: RunError, redact: Redactor): RunError {
  const redacted: RunError = { ...error, name: redact.text(error.name), message: redact.text(error.message) };
  if (error.stack !== undefined) redacted.stack = redact.text(error.stack);
  return redacted;
}
