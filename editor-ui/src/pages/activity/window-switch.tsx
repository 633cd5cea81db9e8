// The choice of window (1 hour, 24 hours, 7 days) above a hook's or the workspace's charts.
import { type ChartWindow, WINDOW_LABELS } from "../../ui/charts/chart-scale";
import "./window-switch.css";

export function WindowSwitch(props: {
  value: ChartWindow;
  legend: string;
  onChange(value: ChartWindow): void;
}) {
  return (
    <fieldset class="window-choice">
      <legend class="visually-hidden">{props.legend}</legend>
      {(Object.keys(WINDOW_LABELS) as ChartWindow[]).map((w) => (
        <button
          key={w}
          type="button"
          class={props.value === w ? "" : "secondary"}
          aria-pressed={props.value === w}
          onClick={() => props.onChange(w)}
        >
          {WINDOW_LABELS[w]}
        </button>
      ))}
    </fieldset>
  );
}
