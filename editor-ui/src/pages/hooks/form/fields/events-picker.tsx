// A hook's subscriptions: event types from the workspace's catalog, plus free patterns.
import { useState } from "preact/hooks";
import { ok } from "../../../../api/client";
import { href } from "../../../../router";
import { useSession } from "../../../../session-context";
import { useLoad } from "../../../../ui/async";
import { ErrorNotice } from "../../../../ui/error-notice";
import { EVENT_PATTERN } from "../model";
import { FormField } from "./form-field";
import { Problems } from "./problems";

/** Event types from the workspace's catalog as checkboxes, plus free patterns (`order.*`, `*`). */
export function EventsPicker(props: {
  ws: string;
  value: string[];
  onChange(events: string[]): void;
  errors: string[];
  disabled?: boolean | undefined;
}) {
  const { client } = useSession();
  const catalog = useLoad(
    () => ok(client.v1.workspaces[":ws"]["event-types"].$get({ param: { ws: props.ws } })),
    [client, props.ws],
  );
  const [pattern, setPattern] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const names = new Set((catalog.data?.data ?? []).map((t) => t.name));
  const others = props.value.filter((e) => !names.has(e));

  const toggle = (name: string, on: boolean) =>
    props.onChange(on ? [...props.value, name] : props.value.filter((e) => e !== name));
  const add = () => {
    const value = pattern.trim();
    if (!value) return;
    if (!EVENT_PATTERN.test(value)) {
      setProblem("Use an event type name, a prefix with .* (order.*) or * for every event.");
      return;
    }
    if (props.value.includes(value)) {
      setProblem(`“${value}” is already subscribed.`);
      return;
    }
    setProblem(null);
    props.onChange([...props.value, value]);
    setPattern("");
  };

  return (
    <fieldset class="events-picker" aria-invalid={props.errors.length > 0}>
      <legend>Events</legend>
      <p class="hint">
        The hook receives these events. Pick from the <a href={href(props.ws, "event-types")}>catalog</a>, or
        subscribe with a pattern.
      </p>
      {catalog.loading && !catalog.data && <p class="muted">Loading the event catalog…</p>}
      <ErrorNotice error={catalog.error} />
      {catalog.data && catalog.data.data.length === 0 && (
        <p class="muted">The catalog is empty: add event types first, or subscribe with a pattern below.</p>
      )}
      {catalog.data && catalog.data.data.length > 0 && (
        <ul class="event-options">
          {catalog.data.data.map((t) => (
            <li key={t.name}>
              <label>
                <input
                  type="checkbox"
                  checked={props.value.includes(t.name)}
                  onChange={(e) => toggle(t.name, e.currentTarget.checked)}
                  aria-describedby={t.description ? `event-desc-${t.name}` : undefined}
                />
                <code>{t.name}</code>
              </label>
              {t.description && (
                <span id={`event-desc-${t.name}`} class="muted">
                  {t.description}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 && (
        <ul class="tags chosen-patterns" aria-label="Patterns and other subscriptions">
          {others.map((e) => (
            <li key={e} class="badge">
              <code>{e}</code>
              {!props.disabled && (
                <button
                  type="button"
                  class="link"
                  aria-label={`Remove ${e}`}
                  onClick={() => toggle(e, false)}
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {!props.disabled && (
        <div class="row pattern-row">
          <FormField
            label="Add a pattern"
            hint={
              <>
                <code>order.*</code> covers order.created, order.paid… (also types added later);{" "}
                <code>*</code> covers every event.
              </>
            }
            errors={problem ? [problem] : []}
          >
            <input
              value={pattern}
              placeholder="order.*"
              onInput={(e) => setPattern(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter") {
                  e.preventDefault();
                  add();
                }
              }}
            />
          </FormField>
          <button type="button" class="secondary" onClick={add}>
            Add pattern
          </button>
        </div>
      )}
      <Problems messages={props.errors} />
    </fieldset>
  );
}
