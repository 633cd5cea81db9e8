// A function's runtime settings (limits and secrets), when creating and in settings.
import type { ApiFailure } from "../../../../api/client";
import type { FunctionState } from "../model";
import { LimitsFields } from "./limits-fields";
import { SecretMapField } from "./secret-map-field";

/** Limits and secrets: a function's runtime, when creating and in settings. */
export function FunctionFields(props: {
  state: FunctionState;
  set(patch: Partial<FunctionState>): void;
  errors: ApiFailure | null;
  readOnly?: boolean;
}) {
  const { state, set, errors } = props;
  return (
    <>
      <LimitsFields value={state.limits} onChange={(limits) => set({ limits })} errors={errors} />
      <SecretMapField
        noun="secret"
        rows={state.secrets}
        onChange={(secrets) => set({ secrets })}
        errors={errors}
        readOnly={props.readOnly}
      />
    </>
  );
}
