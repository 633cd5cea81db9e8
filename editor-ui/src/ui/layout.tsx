// Page frame pieces shared by every view.
import type { ComponentChildren } from "preact";

export function Page(props: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section class="page">
      <header class="page-header">
        <h1>{props.title}</h1>
        <div class="actions">{props.actions}</div>
      </header>
      {props.children}
    </section>
  );
}

export function EmptyState(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p>
        <strong>{props.title}</strong>
      </p>
      {props.children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" aria-busy="true">
      Loading {what}…
    </p>
  );
}

/**
 * A labelled form control; `hint` explains the field under it. The hint stays outside the label,
 * so the control's accessible name is the label alone.
 */
export function Field(props: { label: string; hint?: ComponentChildren; children: ComponentChildren }) {
  return (
    <div class="field">
      {/* biome-ignore lint/a11y/noLabelWithoutControl: the control is passed in as a child */}
      <label class="field-control">
        <span class="label">{props.label}</span>
        {props.children}
      </label>
      {props.hint && <small class="hint">{props.hint}</small>}
    </div>
  );
}

/** An on/off switch, reachable and operable by keyboard like any button. */
export function Switch(props: {
  checked: boolean;
  label: string;
  disabled?: boolean;
  onChange(checked: boolean): void;
}) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={props.checked}
      aria-label={props.label}
      class={`switch ${props.checked ? "on" : "off"}`}
      disabled={props.disabled}
      onClick={() => props.onChange(!props.checked)}
    >
      <span class="knob" />
    </button>
  );
}
