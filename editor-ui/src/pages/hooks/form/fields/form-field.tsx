// A labelled control with its hint and its errors: the frame of every field in the hook forms.
import { type ComponentChildren, cloneElement, type VNode } from "preact";
import { useId } from "preact/hooks";

/**
 * A labelled control with its hint and its errors (the service's and the form's own checks). The
 * label names the control by itself; the hint and errors describe it (aria-describedby).
 */
export function FormField(props: {
  label: string;
  hint?: ComponentChildren;
  errors?: string[];
  children: VNode;
}) {
  const id = useId();
  const errors = props.errors ?? [];
  const described = Boolean(props.hint) || errors.length > 0;
  return (
    <div class="field form-field">
      {/* biome-ignore lint/a11y/noLabelWithoutControl: the control is passed in as a child */}
      <label class="form-field-label">
        <span class="label">{props.label}</span>
        {described
          ? cloneElement(props.children, {
              "aria-describedby": id,
              "aria-invalid": errors.length > 0 || undefined,
            })
          : props.children}
      </label>
      {described && (
        <small class="hint" id={id}>
          {props.hint}
          {errors.map((e) => (
            <span key={e} class="field-error">
              {e}
            </span>
          ))}
        </small>
      )}
    </div>
  );
}
