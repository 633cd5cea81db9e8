// A callback hook's URLs whose circuit breaker is open or probing, said above its tabs: their
// deliveries wait (no attempts) until a probe succeeds. Closed and 410-disabled URLs say nothing here
// (the URLs field shows disabled ones).
import type { CallbackHook } from "../../api/types";
import { formatTime } from "../../ui/format";

type UrlState = CallbackHook["urlStates"][number];

export function CircuitNotice({ urlStates }: { urlStates: UrlState[] }) {
  const tripped = urlStates.filter((u) => u.state === "open" || u.state === "half_open");
  if (tripped.length === 0) return null;
  return (
    <div class="notice info" role="status" data-testid="circuit-notice">
      {tripped.map((u) => (
        <p key={u.url}>
          Circuit {u.state === "open" ? "open" : "half-open"} for <code>{u.url}</code>
          {u.since && <> since {formatTime(u.since)}</>}: its deliveries wait without an attempt
          {u.state === "open" && u.nextProbeAt
            ? `; one probe goes at ${formatTime(u.nextProbeAt)}, and its success sends them all.`
            : "; a probe is on its way, and its success sends them all."}
        </p>
      ))}
    </div>
  );
}
