// Retrying a delivery from its attempt's page and following it until the new attempt is recorded:
// a live tail of the hook and event is opened first (so nothing recorded after the retry can be
// missed), then the retry is posted, then the first attempt of that delivery on the tail is the
// answer. The whole workflow belongs to its caller's signal: aborting it (the page went away, the
// user signed out) closes the tail, cancels the requests and clears the waits at once.
import { type Client, failureOf, ok } from "../../api/client";
import { subscribe } from "../../api/sse";
import type { LogSummary } from "../../api/types";
import { attemptOf, streamFailure, tailUrl } from "./live-tail";

export type Delivery = Awaited<ReturnType<typeof loadDelivery>>;

export function loadDelivery(client: Client, ws: string, id: string, signal?: AbortSignal) {
  return ok(client.v1.workspaces[":ws"].deliveries[":id"].$get({ param: { ws, id } }, { init: { signal } }));
}

/** What is retried: the delivery, and the hook and event its attempts are logged under. */
export interface RetryTarget {
  ws: string;
  hookId: string;
  eventId: string | null;
  deliveryId: string;
}

export interface FollowOptions {
  /** Aborting it ends the workflow: the returned promise rejects with the signal's reason. */
  signal: AbortSignal;
  /** Called once the service has queued the delivery again, with its new state. */
  onQueued(delivery: Delivery): void;
}

/** How long the retry waits for the tail to be live before posting anyway. */
export const LIVE_WAIT_MS = 5_000;
/** How long the new attempt is waited for once the delivery is queued. */
export const ATTEMPT_WAIT_MS = 60_000;

/**
 * Retries the delivery and resolves with the attempt it makes, or null if none was seen within
 * ATTEMPT_WAIT_MS (or the tail could not follow it). Rejects with an ApiFailure if the retry is
 * refused, and with the signal's reason once the signal aborts.
 */
export async function retryAndFollow(
  client: Client,
  key: string,
  target: RetryTarget,
  options: FollowOptions,
): Promise<LogSummary | null> {
  const { signal } = options;
  signal.throwIfAborted();
  const { ws, deliveryId } = target;

  const tailAbort = new AbortController();
  const timers: ReturnType<typeof setTimeout>[] = [];
  const wait = (ms: number) =>
    new Promise<null>((resolve) => {
      timers.push(setTimeout(() => resolve(null), ms));
    });
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      tailAbort.abort();
      reject(signal.reason);
    };
  });
  // Only ever awaited inside a race; this keeps an abort after the last race from being "unhandled".
  aborted.catch(() => undefined);
  signal.addEventListener("abort", onAbort, { once: true });

  let live!: () => void;
  let seen!: (attempt: LogSummary) => void;
  const isLive = new Promise<void>((resolve) => {
    live = resolve;
  });
  const newAttempt = new Promise<LogSummary>((resolve) => {
    seen = resolve;
  });
  const url = tailUrl(client, ws, { hookId: target.hookId, eventId: target.eventId ?? undefined });
  const tail = subscribe(
    url,
    key,
    (event) => {
      const attempt = attemptOf(event);
      if (attempt?.deliveryId === deliveryId) seen(attempt);
    },
    {
      signal: tailAbort.signal,
      toError: failureOf,
      onState: (s) => {
        if (s.state === "live") live();
      },
    },
  );
  // If the tail cannot be opened the retry still happens; only the follow-up is lost.
  const tailEnded = tail.then(
    () => null,
    (error: unknown) => {
      console.warn("retry: the live tail could not follow the delivery", streamFailure(error).message);
      return null;
    },
  );

  try {
    await Promise.race([isLive, tailEnded, wait(LIVE_WAIT_MS), aborted]);
    let queued: Delivery;
    try {
      queued = await ok(
        client.v1.workspaces[":ws"].deliveries[":id"].retry.$post(
          { param: { ws, id: deliveryId } },
          { init: { signal } },
        ),
      );
    } catch (error) {
      // A request cut short by the abort is the abort, not a failure to show.
      signal.throwIfAborted();
      throw error;
    }
    signal.throwIfAborted();
    options.onQueued(queued);
    return await Promise.race([newAttempt, tailEnded, wait(ATTEMPT_WAIT_MS), aborted]);
  } finally {
    for (const timer of timers) clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
    tailAbort.abort();
  }
}
