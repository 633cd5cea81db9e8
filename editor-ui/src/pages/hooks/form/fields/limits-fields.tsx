// A function's sandbox limits: memory, wall-clock timeout and CPU time.
import type { ApiFailure } from "../../../../api/client";
import { fieldErrors, type Limits } from "../model";
import { NumberField } from "./number-field";
import { Problems } from "./problems";

const LIMIT_FIELDS = [
  { key: "memoryMb", label: "Memory (MB)", hint: "8–128, default 64.", min: 8, max: 128, step: 1 },
  {
    key: "timeoutMs",
    label: "Timeout (ms)",
    hint: "Wall clock, waiting on fetch included; 100–30000, default 10000.",
    min: 100,
    max: 30000,
    step: 100,
  },
  {
    key: "cpuMs",
    label: "CPU time (ms)",
    hint: "Time spent computing; 10 up to the timeout, default 1000.",
    min: 10,
    max: 30000,
    step: 10,
  },
] as const;

export function LimitsFields(props: {
  value: Limits;
  onChange(value: Limits): void;
  errors: ApiFailure | null;
}) {
  const v = props.value;
  const cpuOver = Number(v.cpuMs) > Number(v.timeoutMs) ? ["CPU time must not exceed the timeout."] : [];
  return (
    <fieldset>
      <legend>Limits</legend>
      <p class="hint">
        A run that exceeds a limit is stopped and counts as a failed attempt (and is retried).
      </p>
      <div class="row limits-row">
        {LIMIT_FIELDS.map(({ key, ...field }) => (
          <NumberField
            key={key}
            {...field}
            errors={[...(key === "cpuMs" ? cpuOver : []), ...fieldErrors(props.errors, `limits.${key}`)]}
            value={v[key]}
            onChange={(value) => props.onChange({ ...v, [key]: value })}
          />
        ))}
      </div>
      <Problems
        messages={fieldErrors(props.errors, "limits").filter((m) => !/^(memoryMb|timeoutMs|cpuMs)/.test(m))}
      />
    </fieldset>
  );
}
