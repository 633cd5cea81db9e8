// How the bench turns numbers into text: percentiles, fixed-point formats, and progress lines on
// stderr (stdout keeps just the figures).

/** The p-th percentile (0-100) of `xs`; NaN when empty. */
export const pct = (xs: ArrayLike<number>, p: number) => {
  const s = Float64Array.from(xs).sort();
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
export const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : "n/a");
export const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
export const progress = (line: string) => process.stderr.write(`  .. ${line}\n`);
