// A callback's headers or a function's secrets as a fieldset: what differs between the two maps.
import type { ApiFailure } from "../../../../api/client";
import { fieldErrors, type MapRow } from "../model";
import { SecretMapEditor } from "./secret-map-editor";

/** What differs between the two write-only maps: headers (callbacks) and secrets (functions). */
const MAP_FIELDS = {
  header: {
    legend: "Headers",
    path: "headers",
    max: 20,
    namePlaceholder: "X-Api-Key",
    hint: () => (
      <>
        Sent with every request — typically an API key the receiver checks (<code>X-Api-Key</code>,{" "}
        <code>Authorization</code>). Values are secret: stored encrypted, shown masked, redacted in the logs.
      </>
    ),
  },
  secret: {
    legend: "Secrets",
    path: "secrets",
    max: 50,
    namePlaceholder: "CRM_TOKEN",
    hint: () => (
      <>
        Your function reads them as <code>ctx.secrets.NAME</code>. Write-only: stored encrypted, never shown
        again.
      </>
    ),
  },
} as const;

/** A callback's headers or a function's secrets, with the service's complaints about them. */
export function SecretMapField(props: {
  noun: "header" | "secret";
  rows: MapRow[];
  onChange(rows: MapRow[]): void;
  errors: ApiFailure | null;
  readOnly?: boolean;
}) {
  const field = MAP_FIELDS[props.noun];
  return (
    <fieldset>
      <legend>{field.legend}</legend>
      <p class="hint">{field.hint()}</p>
      <SecretMapEditor
        noun={props.noun}
        rows={props.rows}
        onChange={props.onChange}
        max={field.max}
        errors={fieldErrors(props.errors, field.path)}
        readOnly={props.readOnly}
        namePlaceholder={field.namePlaceholder}
        valuePlaceholder="the value"
      />
    </fieldset>
  );
}
