// The typed API client: Hono's RPC client over the service's own route types, with the signed-in
// key on every request, and one way to turn an answer into its body or an ApiFailure.

import type { AppType } from "@hookrun/api/browser";
import type { ClientResponse } from "hono/client";
import { hc } from "hono/client";
import type { SuccessStatusCode } from "hono/utils/http-status";

export type Client = ReturnType<typeof hc<AppType>>;

export interface FailureDetail {
  path?: string;
  message: string;
  line?: number;
  column?: number;
}

/** An answer in the error envelope (or no answer at all): what the UI shows where the user acted. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FailureDetail[] = [],
    readonly requestId = "",
  ) {
    super(message);
  }
}

/** Dispatched on `window` whenever the service refuses the key (401): the app signs out. */
export const KEY_REFUSED_EVENT = "hookrun:key-refused";

export function createClient(key: string): Client {
  return hc<AppType>(location.origin, { headers: () => ({ authorization: `Bearer ${key}` }) });
}

// biome-ignore lint/suspicious/noExplicitAny: matches any ClientResponse; the body type is inferred below
type AnyResponse = ClientResponse<any, number, any>;
/** The body type of the success answers among a route's possible answers. */
export type OkBody<R> =
  R extends ClientResponse<infer T, infer S, infer _F> ? (S extends SuccessStatusCode ? T : never) : never;

/** Awaits a client call: the success body, or an ApiFailure built from the error envelope. */
export async function ok<R extends AnyResponse>(pending: Promise<R>): Promise<OkBody<R>> {
  let res: R;
  try {
    res = await pending;
  } catch (error) {
    throw new ApiFailure(0, "network", `the service did not answer (${String(error)})`);
  }
  if (res.ok) return (res.status === 204 ? undefined : await res.json()) as OkBody<R>;
  throw await failureOf(res);
}

/**
 * The failure an error answer carries. Every answer the UI reads goes through here (typed calls and
 * the live tail's stream alike), so a refused key (401) is announced once, here, and the app signs out.
 */
export async function failureOf(res: { status: number; text(): Promise<string> }): Promise<ApiFailure> {
  if (res.status === 401) dispatchEvent(new Event(KEY_REFUSED_EVENT));
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: Partial<ApiFailure> & { details?: FailureDetail[] } };
    if (body.error?.message) {
      const e = body.error;
      return new ApiFailure(
        res.status,
        e.code ?? "error",
        e.message ?? "",
        e.details ?? [],
        e.requestId ?? "",
      );
    }
  } catch {
    // Not the envelope: fall through to a generic message.
  }
  return new ApiFailure(res.status, "http_error", `the service answered ${res.status}`);
}

/** Any thrown value as an ApiFailure, so error displays have one input type. */
export function asFailure(error: unknown): ApiFailure {
  if (error instanceof ApiFailure) return error;
  return new ApiFailure(0, "client", error instanceof Error ? error.message : String(error));
}
