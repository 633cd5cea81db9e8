// The delivery an attempt belongs to: its status, and (for admins and operators) the button that
// sends it again and follows the retry until its new attempt is recorded. The retry lives only as
// long as the panel: leaving the page or signing out aborts it, closing its live tail.
import { useEffect, useRef, useState } from "preact/hooks";
import { type ApiFailure, asFailure } from "../../api/client";
import type { LogRecord, LogSummary } from "../../api/types";
import { href } from "../../router";
import { useSession } from "../../session-context";
import { useLoad } from "../../ui/async";
import { ErrorNotice } from "../../ui/error-notice";
import { formatTime } from "../../ui/format";
import { Loading } from "../../ui/layout";
import { canOperate, formatDuration, logsHref, resultCell } from "./log-parts";
import { type Delivery, loadDelivery, retryAndFollow } from "./retry";

type RetryState =
  | { step: "idle" }
  | { step: "queueing" }
  | { step: "waiting"; delivery: Delivery }
  | { step: "done"; delivery: Delivery; attempt: LogSummary | null };

export function DeliveryPanel({ ws, rec, deliveryId }: { ws: string; rec: LogRecord; deliveryId: string }) {
  const { client, key, role } = useSession();
  const delivery = useLoad(() => loadDelivery(client, ws, deliveryId), [client, ws, deliveryId]);
  const [retry, setRetry] = useState<RetryState>({ step: "idle" });
  const [retryError, setRetryError] = useState<ApiFailure | null>(null);
  const running = useRef<AbortController | null>(null);
  useEffect(() => () => running.current?.abort(), []);
  const busy = retry.step === "queueing" || retry.step === "waiting";

  const start = async () => {
    running.current?.abort();
    const abort = new AbortController();
    running.current = abort;
    const { signal } = abort;
    setRetryError(null);
    setRetry({ step: "queueing" });
    try {
      const target = { ws, hookId: rec.hookId, eventId: rec.eventId, deliveryId };
      const attempt = await retryAndFollow(client, key, target, {
        signal,
        onQueued: (queued) => {
          delivery.set(queued);
          setRetry({ step: "waiting", delivery: queued });
        },
      });
      let latest: Delivery | null = null;
      try {
        latest = await loadDelivery(client, ws, deliveryId, signal);
        delivery.set(latest);
      } catch (error) {
        if (signal.aborted) return;
        setRetryError(asFailure(error));
      }
      setRetry((r) => (r.step === "waiting" ? { step: "done", delivery: latest ?? r.delivery, attempt } : r));
    } catch (error) {
      if (signal.aborted) return;
      setRetryError(asFailure(error));
      setRetry({ step: "idle" });
      delivery.reload();
    } finally {
      if (running.current === abort) running.current = null;
    }
  };

  const d = delivery.data;
  const pending = d?.status === "pending";
  return (
    <section class="card" aria-labelledby="delivery-heading">
      <div class="card-head">
        <h2 id="delivery-heading">Delivery</h2>
        {canOperate(role) && (
          <button type="button" onClick={() => void start()} disabled={busy || pending || !d}>
            {busy ? "Retrying…" : "Retry delivery"}
          </button>
        )}
      </div>
      {d ? (
        <p>
          <DeliveryBadge status={d.status} /> after {d.attempts} attempt{d.attempts === 1 ? "" : "s"}
          {d.lastOutcome && <span class="muted"> · last outcome {d.lastOutcome}</span>}
          {d.target !== "function" && (
            <>
              {" "}
              · to <code>{d.target}</code>
            </>
          )}
          {pending && d.nextAttemptAt && (
            <span class="muted">
              {" "}
              · next attempt {formatTime(d.nextAttemptAt)}. A pending delivery is retried on its schedule; the
              button is for finished ones.
            </span>
          )}
          {pending && d.waiting && <span class="muted"> · {WAITING[d.waiting]}</span>}
        </p>
      ) : delivery.error ? (
        <ErrorNotice error={delivery.error} />
      ) : (
        <Loading what="the delivery" />
      )}
      {rec.eventId && (
        <p>
          <a href={logsHref(ws, { eventId: rec.eventId, hookId: rec.hookId })}>
            All attempts of this delivery's event
          </a>
        </p>
      )}
      <ErrorNotice error={retryError} onDismiss={() => setRetryError(null)} />
      <RetryProgress ws={ws} state={retry} />
    </section>
  );
}

function RetryProgress({ ws, state }: { ws: string; state: RetryState }) {
  if (state.step === "idle") return null;
  if (state.step === "queueing")
    return (
      <p class="muted" role="status">
        Queueing the delivery again…
      </p>
    );
  if (state.step === "waiting")
    return (
      <div class="notice info" role="status">
        Queued: the delivery is {state.delivery.status} and is being attempted now. Waiting for the attempt…
      </div>
    );
  const { attempt, delivery } = state;
  if (!attempt)
    return (
      <div class="notice info" role="status">
        The delivery was queued again (now {delivery.status}), but its attempt was not recorded within a
        minute. Turn on the live tail in{" "}
        <a href={logsHref(ws, { eventId: delivery.eventId })}>this event's logs</a> to watch for it.
      </div>
    );
  const succeeded = attempt.outcome === "success";
  return (
    <div class={`notice ${succeeded ? "success" : "error"}`} role="status">
      <span>
        Retry attempt #{attempt.attempt} {succeeded ? "succeeded" : `failed: ${attempt.outcome}`} (
        {resultCell(attempt)}, {formatDuration(attempt.durationMs)}). The delivery is now {delivery.status}.{" "}
        <a href={href(ws, "logs", attempt.id)}>Open the new attempt</a>
      </span>
    </div>
  );
}

function DeliveryBadge({ status }: { status: string }) {
  const tone =
    status === "succeeded" ? "ok" : status === "failed" ? "bad" : status === "pending" ? "warn" : "";
  return <span class={`badge ${tone}`}>{status}</span>;
}

/** Why a pending delivery is held back without an attempt, as the panel says it. */
const WAITING = {
  rate_limit: "waiting for a slot under the hook's rate limit",
  fifo: "waiting for its turn: the delivery before it on this URL has not finished",
  circuit_open: "waiting: this URL's circuit is open; it goes once a probe succeeds",
} as const;
