// The hook header's last 24 hours, kept current: a live tail of the hook's attempts asks for the
// hook's health again when one arrives (at most once a second), so the line changes without a reload.
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ok } from "../../api/client";
import type { Hook } from "../../api/types";
import { useSession } from "../../session-context";
import { percent } from "../../ui/format";
import { tailUrl, useLiveTail } from "../logs/live-tail";

const REFETCH_AFTER_MS = 1_000;

export function HookHealthLine({ ws, hook }: { ws: string; hook: Hook }) {
  const { client, key } = useSession();
  const [health, setHealth] = useState(hook.health);
  // A saved hook comes back with its health: take it.
  useEffect(() => setHealth(hook.health), [hook.health]);

  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refetch = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      ok(client.v1.workspaces[":ws"].hooks[":id"].$get({ param: { ws, id: hook.id } })).then(
        (fresh) => setHealth(fresh.health),
        // The header keeps the last health it had; the page shows the hook's own errors.
        () => undefined,
      );
    }, REFETCH_AFTER_MS);
  }, [client, ws, hook.id]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const url = useMemo(() => tailUrl(client, ws, { hookId: hook.id }), [client, ws, hook.id]);
  // A reconnect may have missed attempts: ask again then too.
  useLiveTail(true, url, key, refetch, refetch);

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
