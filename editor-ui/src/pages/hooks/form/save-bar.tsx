// The foot of a settings form: save (only when something changed), discard, and what happened.
import type { ApiFailure } from "../../../api/client";
import { ErrorNotice } from "../../../ui/error-notice";
import "./hook-form.css";

export function SaveBar(props: {
  dirty: boolean;
  pending: boolean;
  error: ApiFailure | null;
  savedAt: number | null;
  onDismiss(): void;
  onDiscard(): void;
}) {
  return (
    <div class="save-bar">
      <ErrorNotice error={props.error} onDismiss={props.onDismiss} />
      <div class="form-actions">
        <button type="submit" disabled={!props.dirty || props.pending}>
          {props.pending ? "Saving…" : "Save changes"}
        </button>
        <button
          type="button"
          class="secondary"
          disabled={!props.dirty || props.pending}
          onClick={props.onDiscard}
        >
          Discard changes
        </button>
        <span class="muted" role="status">
          {props.savedAt && !props.dirty ? "Saved." : props.dirty ? "Unsaved changes." : ""}
        </span>
      </div>
    </div>
  );
}
