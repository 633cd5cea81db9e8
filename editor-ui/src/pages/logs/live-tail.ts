// The live tail as a view sees it: while enabled, one stream of new attempts (with the list's
// filters), reconnecting by itself; it closes when disabled, when its address changes, and when the
// view goes away.
import { useEffect, useRef, useState } from "preact/hooks";
import { type ApiFailure, asFailure, type Client, failureOf } from "../../api/client";
import { type SseEvent, StreamRefused, subscribe } from "../../api/sse";
import type { LogSummary } from "../../api/types";
import { asObject } from "../../ui/format";
import type { LogFilters } from "./log-parts";

export type TailStatus =
  | { state: "off" }
  | { state: "connecting" }
  | { state: "live" }
  | { state: "reconnecting"; inMs: number; attempt: number; reason: string }
  | { state: "failed"; error: ApiFailure };

/** The stream's address, built by the typed client from the same filters as the list. */
export function tailUrl(client: Client, ws: string, filters: LogFilters): string {
  return client.v1.workspaces[":ws"].logs.stream.$url({ param: { ws }, query: filters }).toString();
}

/** Why the stream failed, in the error shape every view shows. */
export function streamFailure(error: unknown): ApiFailure {
  return asFailure(error instanceof StreamRefused ? error.cause : error);
}

/** The attempt an `attempt` event carries, or null for any other event (or one not of its shape). */
export function attemptOf(event: SseEvent): LogSummary | null {
  if (event.event !== "attempt") return null;
  let value: Record<string, unknown> | null = null;
  try {
    value = asObject(JSON.parse(event.data));
  } catch {
    // Reported below with the other malformed events.
  }
  if (!value || typeof value.id !== "string" || typeof value.createdAt !== "string") {
    console.warn("live tail: an attempt event that is not an attempt was skipped", event.data);
    return null;
  }
  // The service sends LogSummary rows on this stream; the fields every view keys on were checked above.
  return value as LogSummary;
}

/**
 * Streams attempts from `url` while `enabled`. `onAttempt` gets each one; `onLive` runs each time a
 * connection opens (first or after a reconnect), so the view can fill what it may have missed.
 */
export function useLiveTail(
  enabled: boolean,
  url: string,
  key: string,
  onAttempt: (attempt: LogSummary) => void,
  onLive?: () => void,
): TailStatus {
  const [status, setStatus] = useState<TailStatus>({ state: "off" });
  const handlers = useRef({ onAttempt, onLive });
  handlers.current = { onAttempt, onLive };

  useEffect(() => {
    if (!enabled) {
      setStatus({ state: "off" });
      return;
    }
    const abort = new AbortController();
    subscribe(
      url,
      key,
      (event) => {
        const attempt = attemptOf(event);
        if (attempt) handlers.current.onAttempt(attempt);
      },
      {
        signal: abort.signal,
        toError: failureOf,
        onState: (s) => {
          if (abort.signal.aborted) return;
          if (s.state === "reconnecting") {
            setStatus({ ...s, reason: streamFailure(s.reason).message });
          } else {
            setStatus(s);
            if (s.state === "live") handlers.current.onLive?.();
          }
        },
      },
    ).catch((error: unknown) => {
      if (!abort.signal.aborted) setStatus({ state: "failed", error: streamFailure(error) });
    });
    return () => abort.abort();
  }, [enabled, url, key]);

  return status;
}
