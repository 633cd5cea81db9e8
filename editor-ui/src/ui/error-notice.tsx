// An API failure shown where the user acted: the message, each detail (field or line), the request id.
import type { ApiFailure } from "../api/client";

export function ErrorNotice({ error, onDismiss }: { error: ApiFailure | null; onDismiss?: () => void }) {
  if (!error) return null;
  return (
    <div class="notice error" role="alert">
      <div class="notice-body">
        <strong>{error.message}</strong>
        {error.details.length > 0 && (
          <ul>
            {error.details.map((d, i) => (
              <li key={i}>
                {d.line !== undefined ? `line ${d.line}${d.column ? `:${d.column}` : ""}: ` : ""}
                {d.path ? <code>{d.path}</code> : null}
                {d.path ? ": " : ""}
                {d.message}
              </li>
            ))}
          </ul>
        )}
        {error.requestId && <small class="muted">request {error.requestId}</small>}
      </div>
      {onDismiss && (
        <button type="button" class="link" onClick={onDismiss} aria-label="Dismiss error">
          ×
        </button>
      )}
    </div>
  );
}
