// The hook header's last 24 hours, kept current by asking for the hook again every 5 s while the
// page is visible (at once when it shows again). Not a live tail: a stream per open hook page would
// hold one of the browser's 6 connections to the service for as long as the page stays open.
import { useEffect, useState } from "preact/hooks";
import { ok } from "../../api/client";
import type { Hook } from "../../api/types";
import { useSession } from "../../session-context";
import { percent } from "../../ui/format";
import { usePollWhileVisible } from "../../ui/poll-while-visible";

const POLL_MS = 5_000;

/** `onFresh` gets each hook read by the poll (the page shows its URLs' circuits from it). */
export function HookHealthLine({
  ws,
  hook,
  onFresh,
}: {
  ws: string;
  hook: Hook;
  onFresh?(fresh: Hook): void;
}) {
  const { client } = useSession();
  const [health, setHealth] = useState(hook.health);
  // A saved hook comes back with its health: take it.
  useEffect(() => setHealth(hook.health), [hook.health]);

  // Nothing else on the hook's page records attempts at once ("Send test" and the function's test
  // run are not logged; a replay's attempts come from the worker later), so the timer is enough.
  usePollWhileVisible(
    (signal) =>
      ok(
        client.v1.workspaces[":ws"].hooks[":id"].$get({ param: { ws, id: hook.id } }, { init: { signal } }),
      ).then(
        (fresh) => {
          setHealth(fresh.health);
          onFresh?.(fresh);
        },
        // The header keeps the last health it had; the page shows the hook's own errors.
        () => undefined,
      ),
    POLL_MS,
    [client, ws, hook.id],
  );

  const text =
    health.attempts === 0
      ? "No attempts in the last 24 h"
      : `24 h: ${health.attempts} ${health.attempts === 1 ? "attempt" : "attempts"}, ${percent(health.successRate)} ok`;
  return (
    <span
      class="muted"
      title="Attempts of the last 24 hours and their success rate"
      data-testid="hook-health"
    >
      {text}
    </span>
  );
}
