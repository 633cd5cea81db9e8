// What the activity charts compute before drawing: a round top for the y axis, the order and colour
// slot of each outcome, the label of a time bucket, and the one-line summaries screen readers get.
// Pure, so tests/editor-ui checks it without a browser.

/** The charts' windows and how they read. */
export const WINDOW_LABELS = { "1h": "1 hour", "24h": "24 hours", "7d": "7 days" } as const;
export type ChartWindow = keyof typeof WINDOW_LABELS;

/** The smallest of 1, 2, 2.5, 5 × 10^n at or above `value` (at least 1), so axis labels read round. */
export function niceMax(value: number): number {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** Success first (drawn at the bottom of a stack), then failures, most frequent first. */
export function outcomeOrder(byOutcome: Record<string, number>): string[] {
  const failures = Object.keys(byOutcome)
    .filter((o) => o !== "success")
    .sort((a, b) => (byOutcome[b] ?? 0) - (byOutcome[a] ?? 0) || a.localeCompare(b));
  return "success" in byOutcome ? ["success", ...failures] : failures;
}

/** The colour class of an outcome: success is green; failures take the failure palette in order. */
export function seriesClass(outcome: string, order: string[]): string {
  if (outcome === "success") return "series-success";
  const index = order.filter((o) => o !== "success").indexOf(outcome);
  return `series-failure-${Math.min(Math.max(index, 0), 4)}`;
}

/** How long one bucket is, in words: "minute", "30 minutes", "3 hours". */
export function bucketWords(bucketSeconds: number): string {
  if (bucketSeconds === 60) return "minute";
  if (bucketSeconds < 3600) return `${bucketSeconds / 60} minutes`;
  if (bucketSeconds === 3600) return "hour";
  return `${bucketSeconds / 3600} hours`;
}

/** A bucket's start on an axis: the time of day, with the weekday for buckets of hours. */
export function bucketLabel(startIso: string, bucketSeconds: number): string {
  const d = new Date(startIso);
  const time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return bucketSeconds >= 3600 ? `${d.toLocaleDateString([], { weekday: "short" })} ${time}` : time;
}

/** "4 attempts" / "1 attempt". */
export function attemptsWord(n: number): string {
  return `${n} ${n === 1 ? "attempt" : "attempts"}`;
}

/** Milliseconds as the charts print them: "38.5 ms", "1.2 s". */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Number.isInteger(ms) ? ms : ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** "3 success, 1 http_error" in the chart's outcome order. */
export function outcomeCounts(byOutcome: Record<string, number>): string {
  return outcomeOrder(byOutcome)
    .map((o) => `${byOutcome[o]} ${o}`)
    .join(", ");
}
