// Delivery control in the hook forms: the rate limit (every hook), and for callbacks FIFO order and
// the circuit breaker's threshold. What each means is the service's (README, "Delivery control").
import type { ApiFailure } from "../../../../api/client";
import { type CallbackState, DEFAULT_BREAKER_FAILURES, fieldErrors } from "../model";
import { FormField } from "./form-field";
import { NumberField } from "./number-field";

/** Deliveries per second for the whole hook; empty means no limit. */
export function RateLimitField(props: {
  value: string;
  onChange(value: string): void;
  errors: ApiFailure | null;
}) {
  return (
    <FormField
      label="Rate limit (deliveries per second)"
      hint="For the whole hook, across every worker; 0.1–10,000. Deliveries over it wait their turn, which is not an attempt. Empty: no limit."
      errors={fieldErrors(props.errors, "rateLimit")}
    >
      <input
        type="number"
        min={0.1}
        max={10_000}
        step="any"
        placeholder="no limit"
        value={props.value}
        onInput={(e) => props.onChange(e.currentTarget.value)}
      />
    </FormField>
  );
}

/** A callback's FIFO switch and breaker threshold. */
export function CallbackControlFields(props: {
  state: CallbackState;
  set(patch: Partial<CallbackState>): void;
  errors: ApiFailure | null;
}) {
  const { state, set, errors } = props;
  return (
    <div class="grid-2">
      <FormField
        label="Order"
        hint="FIFO: each URL receives events one at a time in the order they came in; a failing delivery holds its URL until it succeeds or runs out of attempts."
        errors={fieldErrors(errors, "fifo")}
      >
        <label class="check">
          <input
            type="checkbox"
            checked={state.fifo}
            onChange={(e) => set({ fifo: e.currentTarget.checked })}
          />
          <span>
            <strong>FIFO</strong> <span class="muted">— in order, one at a time per URL</span>
          </span>
        </label>
      </FormField>
      <NumberField
        label="Circuit breaker (failures in a row)"
        hint={`A URL that fails this many times in a row (network errors, timeouts, 5xx, 408, 429) pauses its deliveries and is probed after a cool-down; default ${DEFAULT_BREAKER_FAILURES}.`}
        errors={fieldErrors(errors, "breaker")}
        min={1}
        max={1000}
        step={1}
        value={state.breakerFailures}
        onChange={(breakerFailures) => set({ breakerFailures })}
      />
    </div>
  );
}
