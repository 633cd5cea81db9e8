// A labelled number input kept as text, so an empty or half-typed value stays as the user left it.
import { FormField } from "./form-field";

/** A number typed as text. */
export function NumberField(props: {
  label: string;
  hint: string;
  errors: string[];
  min: number;
  max: number;
  step: number;
  value: string;
  onChange(value: string): void;
}) {
  return (
    <FormField label={props.label} hint={props.hint} errors={props.errors}>
      <input
        type="number"
        min={props.min}
        max={props.max}
        step={props.step}
        value={props.value}
        onInput={(e) => props.onChange(e.currentTarget.value)}
      />
    </FormField>
  );
}
