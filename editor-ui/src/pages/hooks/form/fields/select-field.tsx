// A field holding one of a few fixed values, as a labelled select.
import { FormField } from "./form-field";

/** One of a few fixed values, as a labelled select. */
export function SelectField<V extends string>(props: {
  label: string;
  hint?: string;
  errors?: string[];
  value: V;
  options: readonly (readonly [V, string])[];
  onChange(value: V): void;
}) {
  return (
    <FormField label={props.label} hint={props.hint} errors={props.errors}>
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as V)}>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </FormField>
  );
}
