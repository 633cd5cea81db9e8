// Expected failures are values. Each code has one meaning and one HTTP status at the edge.
export type FailureCode = "not_found" | "conflict" | "invalid" | "forbidden" | "gone";

export interface FailureDetail {
  path?: string;
  message: string;
  line?: number;
  column?: number;
}

export interface Failure {
  code: FailureCode;
  message: string;
  details?: FailureDetail[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

export const success = <T>(value: T): Result<T> => ({ ok: true, value });

export const failure = (
  code: FailureCode,
  message: string,
  details?: FailureDetail[],
): { ok: false; error: Failure } => ({
  ok: false,
  error: details ? { code, message, details } : { code, message },
});

/** Postgres unique_violation, so a race on a unique name becomes a 409 rather than a 500. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "23505";
}
