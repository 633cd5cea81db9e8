// A hook's success rate over a window in a line the size of a word, for the hook list: one point per
// bucket with attempts (0% at the bottom, 100% at the top); a bucket without attempts leaves a gap.
// A hook without attempts gets none: the list's health column already says "no attempts".
import type { HookSparkline } from "../../api/types";
import { percent } from "../format";
import { attemptsWord } from "./chart-scale";

const WIDTH = 96;
const HEIGHT = 24;
const PAD = 2;

export function Sparkline({ series, span }: { series: HookSparkline | undefined; span: string }) {
  if (!series || series.attempts === 0) return null;
  const step = (WIDTH - 2 * PAD) / series.points.length;
  const xOf = (i: number) => PAD + (i + 0.5) * step;
  const yOf = (rate: number) => PAD + (HEIGHT - 2 * PAD) * (1 - rate);
  const rate = (series.attempts - series.failures) / series.attempts;
  const label = `Success rate over the last ${span}: ${percent(rate)} of ${attemptsWord(series.attempts)}`;
  const runs: string[][] = [];
  let run: string[] = [];
  series.points.forEach((p, i) => {
    if (p.successRate === null) {
      if (run.length > 0) runs.push(run);
      run = [];
    } else run.push(`${xOf(i)},${yOf(p.successRate)}`);
  });
  if (run.length > 0) runs.push(run);
  const tone = rate >= 0.99 ? "ok" : rate >= 0.9 ? "warn" : "bad";
  return (
    <svg
      class={`sparkline sparkline-${tone}`}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={label}
      data-testid="sparkline"
    >
      <title>{label}</title>
      <line class="sparkline-base" x1={PAD} x2={WIDTH - PAD} y1={yOf(0)} y2={yOf(0)} />
      {runs.map((points) =>
        points.length === 1 ? (
          <circle key={points[0]} cx={points[0]?.split(",")[0]} cy={points[0]?.split(",")[1]} r="1.5" />
        ) : (
          <polyline key={points[0]} points={points.join(" ")} />
        ),
      )}
    </svg>
  );
}
