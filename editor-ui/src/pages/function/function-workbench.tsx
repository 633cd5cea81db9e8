// A function hook's code workbench: the draft in Monaco (typed for the sandbox and the hook's
// events), save with compile diagnostics as markers, a test run on a sample event, deploy, and the
// version history with rollback. Operators read the code and the versions only.
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiFailure, ok } from "../../api/client";
import type { FunctionHook, FunctionVersion, RunResult } from "../../api/types";
import { CodeEditor, type EditorHandle, type SourceMarker } from "../../monaco/code-editor";
import { type CatalogEventType, eventTypesFor, hookDeclarations } from "../../monaco/event-typing";
import { loadMonaco } from "../../monaco/load";
import { errorPosition } from "../../monaco/stack-position";
import { canEdit, useSession } from "../../session-context";
import { useAction, useLoad } from "../../ui/async";
import { ErrorNotice } from "../../ui/error-notice";
import { CreatedNotice } from "../hooks/created-notice";
import { readError } from "./run-result";
import { TestPanel } from "./test-panel";
import { useTestSample } from "./test-sample";
import { VersionsPanel } from "./versions-panel";
import "./workbench.css";

/**
 * Unsaved editor text per workspace and hook, kept while the user visits the hook's other tabs.
 * Never keyed by the API key (that would keep the secret in memory after sign-out); sign-out
 * empties it with `forgetUnsavedDrafts()`.
 */
const unsavedDrafts = new Map<string, string>();

/** Drops every unsaved draft: called on sign-out, so the next user of the tab sees none of them. */
export function forgetUnsavedDrafts(): void {
  unsavedDrafts.clear();
}

type SidePanel = "test" | "versions";

interface WorkbenchProps {
  ws: string;
  hook: FunctionHook;
  onChanged(hook: FunctionHook): void;
}

export function FunctionWorkbench(props: WorkbenchProps) {
  // Another hook is another workbench: no draft, marker or result carries over.
  return <Workbench key={props.hook.id} {...props} />;
}

function Workbench(props: WorkbenchProps) {
  const { ws, hook } = props;
  const { client, role } = useSession();
  const editable = canEdit(role);
  const editor = useRef<EditorHandle | null>(null);
  const draftKey = JSON.stringify([ws, hook.id]);

  const [saved, setSaved] = useState(hook.source);
  const [text, setText] = useState(() => (editable && unsavedDrafts.get(draftKey)) || hook.source);
  const [markers, setMarkers] = useState<SourceMarker[]>([]);
  const [errorLine, setErrorLine] = useState<{ line: number; message: string } | null>(null);
  const [deployed, setDeployed] = useState<string | null>(null);
  const [panel, setPanel] = useState<SidePanel>(editable ? "test" : "versions");
  const dirty = editable && text !== saved;

  const param = { ws, id: hook.id };
  const catalog = useLoad(
    () => ok(client.v1.workspaces[":ws"]["event-types"].$get({ param: { ws } })).then((r) => r.data),
    [client, ws],
  );
  const versions = useLoad(
    () => ok(client.v1.workspaces[":ws"].hooks[":id"].versions.$get({ param })).then((r) => r.data),
    [client, ws, hook.id],
  );
  const eventTypes: CatalogEventType[] | undefined = useMemo(
    () => catalog.data && eventTypesFor(hook.events, catalog.data),
    [catalog.data, hook.events],
  );

  // The TypeScript service learns this hook's events and secret names (again only when they change).
  const secretNames = Object.keys(hook.secrets).join("\n");
  const declarations = useMemo(
    () =>
      hookDeclarations({
        hookName: hook.name,
        events: eventTypes ?? [],
        secretNames: secretNames.split("\n").filter(Boolean),
      }),
    [hook.name, eventTypes, secretNames],
  );
  useEffect(() => {
    loadMonaco().then(
      (m) => m.setHookDeclarations(declarations),
      // The editor shows its own loading failure.
      () => undefined,
    );
  }, [declarations]);

  // Leaving the page with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    addEventListener("beforeunload", warn);
    return () => removeEventListener("beforeunload", warn);
  }, [dirty]);

  const onChange = useCallback(
    (value: string) => {
      setText(value);
      // A failing line belongs to the text that ran; once that changes, the highlight would mislead.
      setErrorLine(null);
      if (value === saved) unsavedDrafts.delete(draftKey);
      else unsavedDrafts.set(draftKey, value);
    },
    [draftKey, saved],
  );

  /**
   * Shows a compile failure's line/column details as markers; rethrows anything. A 422 without any
   * positioned detail is not a compile error (e.g. sample data the event type's schema refuses):
   * the markers of the last compile stay as they are.
   */
  const showCompileErrors = useCallback((error: unknown) => {
    if (error instanceof ApiFailure && error.status === 422) {
      const positioned = error.details.flatMap((d) =>
        d.line === undefined ? [] : [{ line: d.line, column: d.column ?? 1, message: d.message }],
      );
      if (positioned.length > 0) setMarkers(positioned);
    }
    throw error;
  }, []);

  const saveDraft = useCallback(async () => {
    const source = editor.current?.getValue() ?? text;
    const updated = await ok(
      client.v1.workspaces[":ws"].hooks[":id"].source.$put({ param, json: { source } }),
    ).catch(showCompileErrors);
    if (updated.kind !== "function") throw new Error("the hook is no longer a function hook");
    setMarkers([]);
    setSaved(updated.source);
    if (editor.current?.getValue() === updated.source) unsavedDrafts.delete(draftKey);
    props.onChanged(updated);
    return updated;
  }, [client, ws, hook.id, draftKey, text, showCompileErrors, props.onChanged]);

  const save = useAction(async () => {
    setDeployed(null);
    await saveDraft();
  });

  const deploy = useAction(async (version?: number) => {
    setDeployed(null);
    let current = hook;
    if (version === undefined && dirty) current = await saveDraft();
    const live: FunctionVersion = await ok(
      client.v1.workspaces[":ws"].hooks[":id"].deploy.$post({
        param,
        json: version === undefined ? {} : { version },
      }),
    ).catch(showCompileErrors);
    props.onChanged({ ...current, liveVersion: live.version });
    versions.reload();
    setDeployed(
      version === undefined
        ? `Version ${live.version} is live.`
        : `Rolled back: version ${live.version} is live again.`,
    );
  });

  const busy = save.pending || deploy.pending;
  const liveSource = versions.data?.find((v) => v.live)?.source;
  /** The saved draft is the live version: deploying it again would change nothing. */
  const deployedAlready = !dirty && liveSource !== undefined && liveSource === saved;
  /** Ctrl/Cmd+S: like the toolbar's Save, only when there is something to save (no needless PUT). */
  const saveIfDirty = () => {
    if (dirty && !busy) void save.run();
  };

  // Ctrl/Cmd+S anywhere on the workbench saves (inside Monaco, its own action does).
  useEffect(() => {
    if (!editable) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || !(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== "s") return;
      // The browser's "save page" is never what is meant here, even with nothing to save.
      e.preventDefault();
      if (dirty && !busy) void save.run();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [editable, dirty, busy, save.run]);

  // The test runs the code in the editor, saved or not, on the sample; its compile errors become markers.
  const sample = useTestSample(eventTypes);
  const [testResult, setTestResult] = useState<RunResult | null>(null);
  const test = useAction(async () => {
    // A new run replaces the last result, whether it gets one or fails first (sample, compile error).
    setTestResult(null);
    const input = sample.read();
    if (!input) return;
    setErrorLine(null);
    const answer = await ok(
      client.v1.workspaces[":ws"].hooks[":id"].test.$post({
        param,
        json: { source: editor.current?.getValue() ?? text, ...input },
      }),
    ).catch(showCompileErrors);
    setMarkers([]);
    setTestResult(answer);
    const error = readError(answer.error);
    const at = errorPosition(error?.stack);
    if (error && at) setErrorLine({ line: at.line, message: `${error.name}: ${error.message}` });
  });

  return (
    <div class="workbench">
      <div class="workbench-toolbar">
        {editable && (
          <>
            <button
              type="button"
              onClick={() => void save.run()}
              disabled={busy || !dirty}
              aria-keyshortcuts="Control+S Meta+S"
              title="Save the draft (Ctrl+S / ⌘S): it is compiled, not deployed"
            >
              {save.pending ? "Saving…" : "Save"}
            </button>
            <button
              type="button"
              class="secondary"
              onClick={() => void deploy.run()}
              disabled={busy || deployedAlready}
              title={
                dirty
                  ? "Save the draft, then make it the live version"
                  : deployedAlready
                    ? "The saved draft is the live version; edit it to deploy again"
                    : "Make the saved draft the live version"
              }
            >
              {deploy.pending ? "Deploying…" : dirty ? "Save and deploy" : "Deploy"}
            </button>
          </>
        )}
        <span role="status" class="workbench-state">
          {dirty ? (
            <span class="badge warn">Unsaved changes</span>
          ) : editable ? (
            <span class="badge">Draft saved</span>
          ) : null}
          {hook.liveVersion === null ? (
            <span class="badge warn" title="Events are not delivered to this function until it is deployed">
              Not deployed
            </span>
          ) : (
            <span class="badge ok">Live: version {hook.liveVersion}</span>
          )}
          {liveSource !== undefined && liveSource !== saved && (
            <span class="muted">The saved draft differs from the live version.</span>
          )}
        </span>
      </div>

      {!editable && (
        <div class="notice info" role="note">
          Read-only: your key can read this function's code and versions. Editing, testing and deploying need
          an admin key.
        </div>
      )}
      <CreatedNotice hook={hook}>
        Its code starts from a template: edit it, run a test, then deploy it. Events reach it once it is
        deployed.
      </CreatedNotice>
      <ErrorNotice error={save.error} onDismiss={save.clearError} />
      <ErrorNotice error={deploy.error} onDismiss={deploy.clearError} />
      {deployed && (
        <div class="notice success" role="status">
          {deployed}
          <button type="button" class="link" onClick={() => setDeployed(null)} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}

      <div class="workbench-grid">
        <div class="workbench-code">
          <CodeEditor
            path={`hooks/${hook.id}/function.ts`}
            initialValue={text}
            label={`Code of ${hook.name}${editable ? "" : " (read-only)"}`}
            readOnly={!editable}
            height="calc(100vh - 250px)"
            markers={markers}
            errorLine={errorLine}
            onChange={onChange}
            onSave={editable ? saveIfDirty : undefined}
            onRun={
              editable
                ? () => {
                    setPanel("test");
                    if (!test.pending) void test.run();
                  }
                : undefined
            }
            handle={editor}
          />
          <p class="muted workbench-hint">
            TypeScript or JavaScript. <code>event</code> is typed from this hook's event types;{" "}
            <code>ctx.secrets</code> holds its secrets.
            {editable && " Ctrl+S saves, Ctrl+Enter runs the test."} Ctrl+M makes Tab leave the editor.
          </p>
        </div>

        <div class="workbench-side">
          <div class="tabs" role="tablist" aria-label="Function tools">
            {editable && (
              <button
                type="button"
                role="tab"
                id="fw-tab-test"
                aria-controls="fw-panel-test"
                aria-selected={panel === "test"}
                onClick={() => setPanel("test")}
              >
                Test
              </button>
            )}
            <button
              type="button"
              role="tab"
              id="fw-tab-versions"
              aria-controls="fw-panel-versions"
              aria-selected={panel === "versions"}
              onClick={() => setPanel("versions")}
            >
              Versions{versions.data ? ` (${versions.data.length})` : ""}
            </button>
          </div>
          {editable && (
            <div
              role="tabpanel"
              id="fw-panel-test"
              aria-labelledby="fw-tab-test"
              hidden={panel !== "test"}
              class="workbench-panel"
            >
              <TestPanel
                ws={ws}
                hook={hook}
                loading={eventTypes === undefined}
                catalogError={catalog.error}
                onReloadCatalog={catalog.reload}
                sample={sample}
                onRun={() => void test.run()}
                running={test.pending}
                error={test.error}
                onDismissError={test.clearError}
                result={testResult}
                onRevealLine={(line, column) => editor.current?.reveal(line, column)}
              />
            </div>
          )}
          <div
            role="tabpanel"
            id="fw-panel-versions"
            aria-labelledby="fw-tab-versions"
            hidden={panel !== "versions"}
            class="workbench-panel"
          >
            <VersionsPanel
              hookId={hook.id}
              versions={versions.data}
              error={versions.error}
              loading={versions.loading}
              onReload={versions.reload}
              editable={editable}
              rollingBack={deploy.pending}
              onRollback={(version) => void deploy.run(version)}
              onOpenInEditor={(source) => editor.current?.setValue(source)}
            />
          </div>
        </div>
      </div>
    </div>
  );
}
