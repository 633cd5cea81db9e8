// The one error envelope. Everything that fails at the HTTP edge ends up here, with a request id.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Failure, FailureCode, FailureDetail, Result } from "../services/result";
import type { AppEnv } from "./env";

export type ErrorCode =
  | "bad_request"
  | "headers_too_large"
  | "malformed_json"
  | "validation_failed"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "gone"
  | "payload_too_large"
  | "unsupported_media_type"
  | "unprocessable"
  | "rate_limited"
  | "internal";

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details?: FailureDetail[],
  ) {
    super(message);
  }
}

const FAILURE_STATUS: Record<FailureCode, [ContentfulStatusCode, ErrorCode]> = {
  not_found: [404, "not_found"],
  conflict: [409, "conflict"],
  invalid: [422, "unprocessable"],
  forbidden: [403, "forbidden"],
  gone: [410, "gone"],
};

export function fromFailure(failure: Failure): ApiError {
  const [status, code] = FAILURE_STATUS[failure.code];
  return new ApiError(status, code, failure.message, failure.details);
}

/** Unwraps a service result at the edge: the value, or the failure thrown as its HTTP error. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw fromFailure(result.error);
  return result.value;
}

export function errorBody(c: Context<AppEnv>, error: ApiError) {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details && error.details.length > 0 ? { details: error.details } : {}),
      requestId: c.get("requestId") ?? "",
    },
  };
}

export function errorResponse(c: Context<AppEnv>, error: ApiError): Response {
  return c.json(errorBody(c, error), error.status);
}

/** Maps anything thrown to the envelope; only genuine bugs become a 500, and they are logged. */
export function toApiError(error: unknown, log: (message: string, error: unknown) => void): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    if (error.status === 400)
      return new ApiError(400, "malformed_json", "the request body is not valid JSON");
    if (error.status === 413) return new ApiError(413, "payload_too_large", "the request body is too large");
    if (error.status === 415)
      return new ApiError(415, "unsupported_media_type", "send the body as application/json");
    return new ApiError(
      error.status as ContentfulStatusCode,
      "unprocessable",
      error.message || "request refused",
    );
  }
  if (isNulRefusal(error))
    return new ApiError(
      422,
      "unprocessable",
      "the request holds the character U+0000 (NUL), which hookrun cannot store; remove or replace it",
    );
  // The last guard: a value the database refused as data (class 22: out of range, invalid syntax
  // for its type, ...) came from the request. The schemas should have refused it; if one did not,
  // the caller still gets a 4xx naming what the database said, never a 500.
  const refused = dataException(error);
  if (refused) {
    log("a value reached the database that the schemas should have refused", error);
    return new ApiError(422, "unprocessable", `the database cannot store a value of the request: ${refused}`);
  }
  log("unhandled error", error);
  return new ApiError(500, "internal", "internal error; the request id identifies it in the server log");
}

/** PostgreSQL's (and PGlite's) message for a data exception (SQLSTATE class 22), if that is what it is. */
function dataException(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === "string" && code.startsWith("22") ? String(message).slice(0, 300) : undefined;
}

/**
 * PostgreSQL refuses U+0000 in text (22021) and in jsonb strings (22P05), wherever it comes from
 * in a request; it is the caller's input, not a fault of ours.
 */
function isNulRefusal(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error)) return false;
  const message = "message" in error ? String(error.message) : "";
  return (error.code === "22021" && message.includes("0x00")) || error.code === "22P05";
}
