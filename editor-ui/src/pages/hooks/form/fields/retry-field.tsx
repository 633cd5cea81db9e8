// How many attempts a delivery gets, each choice labelled with the worker's own retry schedule.
import type { ApiFailure } from "../../../../api/client";
import { fieldErrors, MAX_ATTEMPTS, retryLabel, retrySchedule } from "../model";
import { FormField } from "./form-field";

export function RetryField(props: {
  value: number;
  onChange(value: number): void;
  errors: ApiFailure | null;
}) {
  const attempts = Array.from({ length: MAX_ATTEMPTS }, (_, i) => i + 1);
  return (
    <FormField
      label="Max attempts"
      hint={`A failed delivery is tried again after ${retrySchedule()} (±20%).`}
      errors={fieldErrors(props.errors, "retry")}
    >
      <select value={String(props.value)} onChange={(e) => props.onChange(Number(e.currentTarget.value))}>
        {attempts.map((n) => (
          <option key={n} value={String(n)}>
            {retryLabel(n)}
            {n === MAX_ATTEMPTS ? " (default)" : ""}
          </option>
        ))}
      </select>
    </FormField>
  );
}
