// Runs the code in the editor (saved or not) on a sample event: POST .../hooks/{id}/test. The
// sample is the chosen event type's example, editable as JSON; nothing is logged or retried.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { type ApiFailure, ok } from "../../api/client";
import type { FunctionHook, RunResult } from "../../api/types";
import type { CatalogEventType } from "../../monaco/event-typing";
import { errorPosition } from "../../monaco/stack-position";
import { href } from "../../router";
import { useSession } from "../../session-context";
import { useAction } from "../../ui/async";
import { ErrorNotice } from "../../ui/error-notice";
import { prettyJson } from "../../ui/format";
import { Field, Loading } from "../../ui/layout";
import { RunResultView, readError } from "./run-result";

export function TestPanel(props: {
  ws: string;
  hook: FunctionHook;
  /** The hook's event types (catalog entries its subscriptions cover); undefined while loading. */
  eventTypes: CatalogEventType[] | undefined;
  catalogError: ApiFailure | null;
  onReloadCatalog(): void;
  getSource(): string;
  /** Shows a compile error's positioned diagnostics in the editor (other 422s leave them), then rethrows. */
  onCompileError(error: unknown): never;
  onCompiled(): void;
  onErrorLine(line: { line: number; message: string } | null): void;
  onRevealLine(line: number, column: number): void;
  /** Set to this panel's run, for the editor's Ctrl+Enter. */
  runRef: { current: () => void };
}) {
  const { client } = useSession();
  const names = useMemo(() => (props.eventTypes ?? []).map((t) => t.name), [props.eventTypes]);
  const [type, setType] = useState<string | null>(null);
  const chosen = type !== null && names.includes(type) ? type : (names[0] ?? null);
  const [samples, setSamples] = useState<Record<string, string>>({});
  const [sampleError, setSampleError] = useState<string | null>(null);
  const [result, setResult] = useState<RunResult | null>(null);
  const sampleField = useRef<HTMLTextAreaElement>(null);

  const exampleOf = (name: string) => {
    const example = props.eventTypes?.find((t) => t.name === name)?.example;
    return prettyJson(example === undefined || example === null ? {} : example);
  };
  const sample = chosen === null ? "" : (samples[chosen] ?? exampleOf(chosen));

  const run = useAction(async () => {
    if (chosen === null) return;
    let data: unknown;
    try {
      data = JSON.parse(sample);
    } catch (error) {
      setSampleError(`Not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
      sampleField.current?.focus();
      return;
    }
    setSampleError(null);
    props.onErrorLine(null);
    const answer = await ok(
      client.v1.workspaces[":ws"].hooks[":id"].test.$post({
        param: { ws: props.ws, id: props.hook.id },
        json: { source: props.getSource(), type: chosen, data },
      }),
    ).catch(props.onCompileError);
    props.onCompiled();
    setResult(answer);
    const error = readError(answer.error);
    const at = errorPosition(error?.stack);
    if (error && at) props.onErrorLine({ line: at.line, message: `${error.name}: ${error.message}` });
  });

  useEffect(() => {
    props.runRef.current = () => {
      if (!run.pending) void run.run();
    };
  });

  if (props.catalogError) {
    return (
      <div class="test-panel">
        <ErrorNotice error={props.catalogError} />
        <button type="button" class="secondary" onClick={props.onReloadCatalog}>
          Load the event types again
        </button>
      </div>
    );
  }
  if (!props.eventTypes) return <Loading what="the event types" />;

  const error = result ? readError(result.error) : null;
  const at = error ? errorPosition(error.stack) : null;
  return (
    <div class="test-panel">
      <p class="muted">
        Runs the code in the editor, saved or not, on a sample event. Nothing is logged or retried;{" "}
        <code>fetch</code> calls are real.
      </p>
      {names.length === 0 ? (
        <p class="notice info">
          No event type in the catalog matches this hook's subscriptions ({props.hook.events.join(", ")}). Add
          one under <a href={href(props.ws, "event-types")}>Event types</a> to test with it.
        </p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run.run();
          }}
        >
          <Field label="Event type">
            <select value={chosen ?? ""} onChange={(e) => setType(e.currentTarget.value)}>
              {names.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </Field>
          <label class="field">
            <span class="label">Sample data (JSON)</span>
            <textarea
              ref={sampleField}
              rows={8}
              spellcheck={false}
              value={sample}
              aria-invalid={sampleError !== null}
              aria-describedby={sampleError ? "fw-sample-error" : undefined}
              onInput={(e) => {
                const value = e.currentTarget.value;
                if (chosen !== null) setSamples((s) => ({ ...s, [chosen]: value }));
                setSampleError(null);
              }}
            />
            {sampleError && (
              <small id="fw-sample-error" class="field-error" role="alert">
                {sampleError}
              </small>
            )}
          </label>
          <div class="row test-actions">
            <button type="submit" disabled={run.pending} aria-keyshortcuts="Control+Enter Meta+Enter">
              {run.pending ? "Running…" : "Run test"}
            </button>
            {chosen !== null && samples[chosen] !== undefined && samples[chosen] !== exampleOf(chosen) && (
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  setSamples(({ [chosen]: _, ...rest }) => rest);
                  setSampleError(null);
                }}
              >
                Reset to the example
              </button>
            )}
          </div>
        </form>
      )}
      <ErrorNotice error={run.error} onDismiss={run.clearError} />
      {result && (
        <RunResultView
          result={result}
          errorAt={at}
          onRevealLine={(line, column) => props.onRevealLine(line, column)}
        />
      )}
    </div>
  );
}
