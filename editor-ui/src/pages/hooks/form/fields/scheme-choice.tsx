// One signing scheme as a radio in the signing fieldset.
import type { ComponentChildren } from "preact";

/** One signing scheme as a radio: its name, then what it means for the receiver. */
export function SchemeChoice(props: {
  checked: boolean;
  onChoose(): void;
  title: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <label class="check">
      <input type="radio" name="signing-scheme" checked={props.checked} onChange={props.onChoose} />
      <span>
        {props.title} — <span class="muted">{props.children}</span>
      </span>
    </label>
  );
}
