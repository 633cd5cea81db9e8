// A modal "are you sure?" for destructive actions (delete a hook, revoke a key, delete an event type): a native
// <dialog> opened with showModal(), so focus stays inside, Escape cancels and the page behind is inert.
// The action's failure is shown inside the dialog, where the user confirmed.
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";
import type { ApiFailure } from "../api/client";
import { ErrorNotice } from "./error-notice";
import "./confirm-dialog.css";

export function ConfirmDialog(props: {
  title: string;
  /** The confirming button's text, e.g. "Revoke key". */
  confirmLabel: string;
  pending: boolean;
  error: ApiFailure | null;
  onConfirm(): void;
  onCancel(): void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  return (
    <dialog
      ref={ref}
      class="confirm-dialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(e) => {
        // Escape: close through the owner's state, so the dialog and the state never disagree.
        e.preventDefault();
        if (!props.pending) props.onCancel();
      }}
    >
      <h2 id={titleId}>{props.title}</h2>
      <div id={bodyId} class="confirm-body">
        {props.children}
      </div>
      <ErrorNotice error={props.error} />
      <div class="confirm-actions">
        <button type="button" class="secondary" onClick={props.onCancel} disabled={props.pending}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={props.onConfirm} disabled={props.pending}>
          {props.pending ? "Working…" : props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
