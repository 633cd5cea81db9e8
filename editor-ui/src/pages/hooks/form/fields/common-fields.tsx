// What every hook has, in both hook forms: name, description, events, retry, filter, rate limit, and
// (creating) enabled.
import type { ApiFailure } from "../../../../api/client";
import { type CommonState, fieldErrors } from "../model";
import { RateLimitField } from "./delivery-control-fields";
import { EventsPicker } from "./events-picker";
import { FilterField } from "./filter-field";
import { FormField } from "./form-field";
import { RetryField } from "./retry-field";

/**
 * Name, description, events, retry and filter: what every hook has. `enabled` only when creating;
 * the filter's test only for a saved hook (`hookId`).
 */
export function CommonFields<S extends CommonState>(props: {
  ws: string;
  hookId?: string | undefined;
  state: S;
  set(patch: Partial<CommonState>): void;
  errors: ApiFailure | null;
  disabled?: boolean;
  showEnabled?: boolean;
}) {
  const { state, set, errors } = props;
  return (
    <>
      <div class="grid-2">
        <FormField
          label="Name"
          hint="Unique in this workspace; say what it is for, e.g. “CRM sync”."
          errors={fieldErrors(errors, "name")}
        >
          <input
            value={state.name}
            maxLength={100}
            required
            onInput={(e) => set({ name: e.currentTarget.value })}
          />
        </FormField>
        <RetryField
          value={state.maxAttempts}
          onChange={(maxAttempts) => set({ maxAttempts })}
          errors={errors}
        />
      </div>
      <FormField label="Description" hint="Optional." errors={fieldErrors(errors, "description")}>
        <textarea
          class="plain"
          rows={2}
          maxLength={2000}
          value={state.description}
          onInput={(e) => set({ description: e.currentTarget.value })}
        />
      </FormField>
      <EventsPicker
        ws={props.ws}
        value={state.events}
        onChange={(events) => set({ events })}
        errors={fieldErrors(errors, "events")}
        disabled={props.disabled}
      />
      <FilterField
        ws={props.ws}
        hookId={props.hookId}
        events={state.events}
        value={state.filterText}
        onChange={(filterText) => set({ filterText })}
        errors={errors}
      />
      <RateLimitField
        value={state.rateLimitText}
        onChange={(rateLimitText) => set({ rateLimitText })}
        errors={errors}
      />
      {props.showEnabled && (
        <label class="check">
          <input
            type="checkbox"
            checked={state.enabled}
            onChange={(e) => set({ enabled: e.currentTarget.checked })}
          />
          <span>
            <strong>Enabled</strong> <span class="muted">— receives events as soon as it is created</span>
          </span>
        </label>
      )}
    </>
  );
}
