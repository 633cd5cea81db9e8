// How long a callback waits for the receiver's answer, in seconds.
import type { ApiFailure } from "../../../../api/client";
import { fieldErrors } from "../model";
import { NumberField } from "./number-field";

export function TimeoutField(props: { value: string; onChange(v: string): void; errors: ApiFailure | null }) {
  return (
    <NumberField
      label="Timeout (seconds)"
      hint="How long to wait for the receiver's answer; 1–30, default 10. A timeout is a failed attempt."
      errors={fieldErrors(props.errors, "timeoutMs")}
      min={1}
      max={30}
      step={1}
      value={props.value}
      onChange={props.onChange}
    />
  );
}
