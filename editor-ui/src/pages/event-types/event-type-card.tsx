// One event type of the catalog: its name, description, whether data is checked against a JSON
// Schema, and its example payload (the schema itself one click away). hookrun's own operational
// types are read-only.
import { useId } from "preact/hooks";
import type { EventType } from "../../api/types";
import { timeAgo } from "../../ui/format";

export function EventTypeCard(props: {
  eventType: EventType;
  canEdit: boolean;
  onEdit(): void;
  onDelete(): void;
}) {
  const et = props.eventType;
  const titleId = useId();
  const hasExample = et.example !== null && et.example !== undefined;
  return (
    <article class="card et-card" aria-labelledby={titleId}>
      <header class="et-card-head">
        <div class="et-card-title">
          <h2 id={titleId}>
            <code>{et.name}</code>
          </h2>
          {et.builtIn && (
            <span class="badge" title="hookrun emits this event itself; it cannot be changed or deleted">
              hookrun
            </span>
          )}
          {et.schema ? (
            <span class="badge ok" title="Posted events are checked against this JSON Schema">
              JSON Schema
            </span>
          ) : (
            <span class="badge" title="Any data is accepted for this event type">
              no schema
            </span>
          )}
        </div>
        {props.canEdit && !et.builtIn && (
          <div class="et-card-actions">
            <button type="button" class="secondary" onClick={props.onEdit} aria-label={`Edit ${et.name}`}>
              Edit
            </button>
            <button type="button" class="danger" onClick={props.onDelete} aria-label={`Delete ${et.name}`}>
              Delete
            </button>
          </div>
        )}
      </header>
      <p class={et.description ? "et-description-text" : "et-description-text muted"}>
        {et.description || "No description."}
      </p>
      <div class="et-card-body">
        <section aria-label={`Example payload of ${et.name}`}>
          <h3>Example payload</h3>
          {hasExample ? (
            <pre>{JSON.stringify(et.example, null, 2)}</pre>
          ) : (
            <p class="muted">No example given.</p>
          )}
        </section>
        {et.schema && (
          <details class="et-schema">
            <summary>Show JSON Schema</summary>
            <pre>{JSON.stringify(et.schema, null, 2)}</pre>
          </details>
        )}
      </div>
      <small class="muted">updated {timeAgo(et.updatedAt)}</small>
    </article>
  );
}
