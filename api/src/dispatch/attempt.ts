// One attempt at a target, whatever its kind, as the execution log records it.
import type { HookKind } from "../db/schema";

export interface AttemptRecord {
  kind: HookKind;
  /** "success" for both kinds; otherwise the callback's or the function's own failure outcome. */
  outcome: string;
  startedAt: Date;
  durationMs: number;
  request?: unknown;
  response?: unknown;
  result?: unknown;
  logs?: unknown;
  error?: unknown;
  cpuMs?: number;
  heapBytes?: number;
  /** A receiver's Retry-After, in ms. */
  retryAfterMs?: number | null;
}

export const succeeded = (attempt: AttemptRecord) => attempt.outcome === "success";
/** 410 Gone: the URL is retired and gets disabled on its hook. */
export const gone = (attempt: AttemptRecord) => attempt.outcome === "gone";
