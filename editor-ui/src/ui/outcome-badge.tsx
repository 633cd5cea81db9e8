// An attempt's outcome as a coloured badge: success green, a timeout or a blocked address amber,
// any other failure red. One look for every view that shows an outcome.
export function OutcomeBadge({ outcome, label }: { outcome: string; label?: string }) {
  const tone = outcome === "success" ? "ok" : outcome === "timeout" || outcome === "blocked" ? "warn" : "bad";
  return (
    <span class={`badge ${tone}`}>
      {label && <span class="visually-hidden">{label}</span>}
      {outcome}
    </span>
  );
}
