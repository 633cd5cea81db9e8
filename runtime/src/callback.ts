// One callback attempt: build the request for an event (body or query string), sign it, and send it
// through the one guarded egress client. Building is pure (clock injected) so the exact bytes that
// are signed can be checked; sending turns every expected failure into an outcome value.
import {
  type EgressErrorCode,
  type EgressOptions,
  type EgressResult,
  egressRequest,
  sendableHeaders,
} from "./egress";
import { classifyResponse, parseRetryAfter } from "./retry";
import { type SigningConfig, type SigningSecrets, signatureHeaderNames, signRequest } from "./signing";

export type CallbackEnvelope = {
  id: string;
  type: string;
  /** ISO 8601. */
  timestamp: string;
  workspace: string;
  data: unknown;
  context: unknown | null;
};

export type CallbackMethod = "POST" | "PUT" | "GET";

export type CallbackInput = {
  envelope: CallbackEnvelope;
  method: CallbackMethod;
  url: string;
  /** The hook's custom headers, already decrypted. */
  headers: Record<string, string>;
  signing: SigningConfig;
  secrets: SigningSecrets;
  deliveryId: string;
  now: Date;
};

export type CallbackRequest = {
  url: string;
  method: CallbackMethod;
  headers: Record<string, string>;
  body: string | undefined;
};

export type CallbackOutcomeKind = "success" | "http_error" | "gone" | "timeout" | "blocked" | "network_error";

export type CallbackOutcome = {
  outcome: CallbackOutcomeKind;
  status: number | null;
  responseHeaders: Record<string, string>;
  /** The first 4 KB of the response body as UTF-8. */
  responseBody: string;
  bodyTruncated: boolean;
  durationMs: number;
  retryAfterMs: number | null;
  error: string | null;
};

export const USER_AGENT = "hookrun/0.1";
export const RESPONSE_BODY_LOG_BYTES = 4096;
/**
 * Only 4 KB is kept, but egress fails a response above its cap rather than truncating it; 1 MB lets
 * any sane receiver's answer through without buffering the 5 MB egress default per callback.
 */
export const CALLBACK_MAX_RESPONSE_BYTES = 1024 * 1024;

/** Header names lower-cased; later layers replace earlier ones case-insensitively. */
function mergeHeaders(...layers: Record<string, string>[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer)) out[name.toLowerCase()] = value;
  }
  return out;
}

const RESERVED_QUERY = ["event_id", "event_type", "timestamp"];

/**
 * The GET form of an event: the URL's own query parameters are kept, then `event_id`, `event_type`,
 * `timestamp`, then the top-level scalar fields of `data`. A data field never replaces a parameter
 * already in the URL (it may be the receiver's token, configured by the hook owner) nor a reserved one.
 * An unparseable URL is returned as it is: egress rejects it as `invalid_url`, an outcome value.
 */
export function callbackQueryUrl(url: string, envelope: CallbackEnvelope): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const params = parsed.searchParams;
  params.set("event_id", envelope.id);
  params.set("event_type", envelope.type);
  params.set("timestamp", envelope.timestamp);
  const data = envelope.data;
  if (typeof data === "object" && data !== null && !Array.isArray(data)) {
    for (const [name, value] of Object.entries(data)) {
      const scalar = typeof value === "string" || typeof value === "number" || typeof value === "boolean";
      if (scalar && !RESERVED_QUERY.includes(name) && !params.has(name)) params.append(name, String(value));
    }
  }
  return parsed.href;
}

/**
 * Builds the signed request. The Standard Webhooks message id is the delivery id: it is unique per
 * event × URL, so a receiver fed by several URLs of one hook dedupes each delivery on its own, and it
 * is stable across retries, which is what the spec asks of `webhook-id`. The timestamp is `now`, so
 * each retry is signed afresh and stays inside receivers' replay tolerance.
 */
export function buildCallbackRequest(input: CallbackInput): CallbackRequest {
  const hasBody = input.method !== "GET";
  const url = hasBody ? input.url : callbackQueryUrl(input.url, input.envelope);
  const body = hasBody ? JSON.stringify(input.envelope) : undefined;
  const base: Record<string, string> = { "user-agent": USER_AGENT };
  if (hasBody) base["content-type"] = "application/json";
  const signature = signRequest(input.signing, input.secrets, {
    id: input.deliveryId,
    now: input.now,
    url,
    body: body ?? "",
  });
  // Custom headers may replace user-agent or content-type; signature headers always win. Framing
  // headers are dropped here too (egress drops them anyway), so the logged request is the sent one.
  const headers = mergeHeaders(base, sendableHeaders(input.headers), signature);
  return { url, method: input.method, headers, body };
}

/** The header names whose values the execution log must not show: custom headers and signatures. */
export function secretHeaderNames(customHeaders: Record<string, string>, signing: SigningConfig): string[] {
  return [...Object.keys(customHeaders), ...signatureHeaderNames(signing)];
}

/** A copy of `headers` with the named headers' values (matched case-insensitively) redacted. */
export function redactHeaders(
  headers: Record<string, string>,
  secretHeaderNames: Iterable<string>,
): Record<string, string> {
  const secret = new Set([...secretHeaderNames].map((name) => name.toLowerCase()));
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      secret.has(name.toLowerCase()) ? "[redacted]" : value,
    ]),
  );
}

/** The first 4 KB as UTF-8, never splitting a multi-byte character at the cut. */
function logBody(body: Uint8Array): { text: string; truncated: boolean } {
  if (body.length <= RESPONSE_BODY_LOG_BYTES)
    return { text: new TextDecoder().decode(body), truncated: false };
  // `stream: true` holds back an incomplete trailing sequence instead of emitting U+FFFD.
  const text = new TextDecoder().decode(body.subarray(0, RESPONSE_BODY_LOG_BYTES), { stream: true });
  return { text, truncated: true };
}

function failureKind(code: EgressErrorCode): CallbackOutcomeKind {
  switch (code) {
    case "blocked_address":
      return "blocked";
    case "timeout":
      return "timeout";
    case "dns":
    case "too_large":
    case "too_many_redirects":
    case "connection":
    case "invalid_url":
    case "invalid_header":
      return "network_error";
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

function httpError(status: number, headers: Record<string, string>): string {
  if (status >= 300 && status <= 399) {
    return `receiver redirected (${status} to ${headers.location ?? "nowhere"}); callbacks do not follow redirects`;
  }
  return `receiver answered ${status}`;
}

function toOutcome(result: EgressResult, durationMs: number, now: Date): CallbackOutcome {
  if (!result.ok) {
    return {
      outcome: failureKind(result.error.code),
      status: null,
      responseHeaders: {},
      responseBody: "",
      bodyTruncated: false,
      durationMs,
      retryAfterMs: null,
      error: result.error.message,
    };
  }
  const kind = classifyResponse(result.status);
  const outcome: CallbackOutcomeKind = kind === "retry" ? "http_error" : kind;
  const body = logBody(result.body);
  return {
    outcome,
    status: result.status,
    responseHeaders: result.headers,
    responseBody: body.text,
    bodyTruncated: body.truncated,
    durationMs,
    retryAfterMs: outcome === "http_error" ? parseRetryAfter(result.headers["retry-after"], now) : null,
    error: outcome === "http_error" ? httpError(result.status, result.headers) : null,
  };
}

/**
 * Sends one callback attempt. Redirects are not followed: a receiver redirecting a signed POST is
 * misconfigured, and following would re-send the payload (and its signature) to another place,
 * possibly another owner. A 3xx is therefore an http_error, retried like any other. `pool` is the
 * hook's workspace id: its connections are never shared with another workspace's.
 */
export async function sendCallback(
  egress: EgressOptions,
  request: CallbackRequest,
  timeoutMs: number,
  pool?: string,
): Promise<CallbackOutcome> {
  const started = performance.now();
  const result = await egressRequest(egress, {
    url: request.url,
    method: request.method,
    headers: request.headers,
    body: request.body,
    timeoutMs,
    maxResponseBytes: CALLBACK_MAX_RESPONSE_BYTES,
    followRedirects: false,
    pool,
  });
  const durationMs = Math.round(performance.now() - started);
  return toOutcome(result, durationMs, new Date());
}
