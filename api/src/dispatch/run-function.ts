// One function attempt: the given version's compiled code, the hook's secrets and limits, run in
// the sandbox. Outcomes map onto the log's vocabulary ("ok" is "success" there, as for callbacks).
import type { FunctionRuntime, RunOutcome } from "@hookrun/runtime";
import type { HookRow } from "../db/schema";
import { DEFAULT_FUNCTION_LIMITS } from "../schemas/hooks";
import type { SecretBox } from "../security/secret-box";
import { openMap } from "../services/hook-secrets";
import type { AttemptRecord } from "./attempt";

export interface FunctionCode {
  /** Unique per code: the sandbox keeps one warm isolate per key. */
  versionKey: string;
  code: string;
  sourceMap: string;
}

export async function runFunction(
  box: SecretBox,
  runtime: FunctionRuntime,
  hook: HookRow,
  fn: FunctionCode,
  invocation: { event: unknown; attempt: number; deliveryId: string },
): Promise<AttemptRecord> {
  const startedAt = new Date();
  const outcome = await runtime.run({
    workspaceId: hook.workspace_id,
    versionKey: fn.versionKey,
    code: fn.code,
    sourceMap: fn.sourceMap,
    event: invocation.event,
    ctx: {
      secrets: openMap(box, hook.id, "secrets", hook.secrets_enc),
      hook: { id: hook.id, name: hook.name },
      attempt: invocation.attempt,
      deliveryId: invocation.deliveryId,
    },
    limits: hook.limits ?? DEFAULT_FUNCTION_LIMITS,
  });
  return toAttempt(outcome, startedAt);
}

function toAttempt(outcome: RunOutcome, startedAt: Date): AttemptRecord {
  return {
    kind: "function",
    outcome: outcome.status === "ok" ? "success" : outcome.status,
    startedAt,
    durationMs: Math.round(outcome.wallMs),
    request: null,
    response: null,
    result: outcome.resultTruncated ? { truncated: true } : (outcome.result ?? null),
    logs: { lines: outcome.logs, truncated: outcome.logsTruncated },
    error: outcome.error ?? null,
    cpuMs: outcome.cpuMs,
    heapBytes: outcome.heapBytes,
    retryAfterMs: null,
  };
}
