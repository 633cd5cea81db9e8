// A function's deployed versions, newest first, the live one marked: view a version's source
// (read-only), roll back to it (after a confirmation), or (admins) open it in the editor as the new draft.
import { useState } from "preact/hooks";
import type { ApiFailure } from "../../api/client";
import type { FunctionVersion } from "../../api/types";
import { CodeEditor } from "../../monaco/code-editor";
import { ConfirmDialog } from "../../ui/confirm-dialog";
import { ErrorNotice } from "../../ui/error-notice";
import { formatTime, timeAgo } from "../../ui/format";
import { EmptyState, Loading } from "../../ui/layout";

export function VersionsPanel(props: {
  hookId: string;
  versions: FunctionVersion[] | undefined;
  error: ApiFailure | null;
  loading: boolean;
  onReload(): void;
  editable: boolean;
  rollingBack: boolean;
  onRollback(version: number): void;
  onOpenInEditor(source: string): void;
}) {
  const [viewing, setViewing] = useState<number | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  if (props.error) {
    return (
      <div>
        <ErrorNotice error={props.error} />
        <button type="button" class="secondary" onClick={props.onReload}>
          Load the versions again
        </button>
      </div>
    );
  }
  if (!props.versions) return <Loading what="the versions" />;
  if (props.versions.length === 0) {
    return (
      <EmptyState title="No version deployed yet">
        <p>
          {props.editable
            ? "Deploy the draft to make it the live version: events reach the function only then."
            : "An admin deploys the draft to make it live: events reach the function only then."}
        </p>
      </EmptyState>
    );
  }
  const shown = props.versions.find((v) => v.version === viewing) ?? null;
  return (
    <div class="versions-panel">
      <table>
        <caption class="visually-hidden">Deployed versions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Deployed</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.versions.map((v) => (
            <tr
              key={v.version}
              aria-current={v.live ? "true" : undefined}
              class={v.version === viewing ? "selected" : ""}
            >
              <td>
                <strong>v{v.version}</strong> {v.live && <span class="badge ok">live</span>}
              </td>
              <td title={formatTime(v.createdAt)}>{timeAgo(v.createdAt)}</td>
              <td>
                <div class="version-actions">
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`${v.version === viewing ? "Hide" : "View"} version ${v.version}`}
                    onClick={() => setViewing(v.version === viewing ? null : v.version)}
                  >
                    {v.version === viewing ? "Hide" : "View"}
                  </button>
                  {props.editable && !v.live && (
                    <button
                      type="button"
                      class="secondary"
                      disabled={props.rollingBack}
                      aria-label={`Roll back to version ${v.version}`}
                      onClick={() => setConfirming(v.version)}
                    >
                      Roll back
                    </button>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      {confirming !== null && (
        // The outcome (live again, or why not) shows in the workbench, where Deploy reports too.
        <ConfirmDialog
          title={`Roll back to version ${confirming}?`}
          confirmLabel={`Roll back to version ${confirming}`}
          pending={false}
          error={null}
          onConfirm={() => {
            props.onRollback(confirming);
            setConfirming(null);
          }}
          onCancel={() => setConfirming(null)}
        >
          <p>
            Version {confirming} becomes the live version: every event from now on runs its code. The draft in
            the editor stays as it is.
          </p>
        </ConfirmDialog>
      )}

      {shown && (
        <section class="version-view" aria-label={`Source of version ${shown.version}`}>
          <div class="row version-view-head">
            <h3>
              Version {shown.version} {shown.live && <span class="badge ok">live</span>}
            </h3>
            {props.editable && (
              <button
                type="button"
                class="secondary"
                title="Replace the editor's text with this version (unsaved until you save)"
                onClick={() => props.onOpenInEditor(shown.source)}
              >
                Copy into the draft
              </button>
            )}
          </div>
          <CodeEditor
            path={`hooks/${props.hookId}/versions/v${shown.version}.ts`}
            initialValue={shown.source}
            label={`Source of version ${shown.version} (read-only)`}
            readOnly
            height="280px"
          />
        </section>
      )}
    </div>
  );
}
