// The function test's form and result: the sample event (type and JSON data) and what the last run
// did. The workbench runs the test (`onRun`, also on Ctrl+Enter in the editor) and hands the result
// back; nothing is logged or retried.
import { useEffect, useRef } from "preact/hooks";
import type { ApiFailure } from "../../api/client";
import type { FunctionHook, RunResult } from "../../api/types";
import { errorPosition } from "../../monaco/stack-position";
import { href } from "../../router";
import { ErrorNotice } from "../../ui/error-notice";
import { Field, Loading } from "../../ui/layout";
import { RunResultView, readError } from "./run-result";
import type { TestSample } from "./test-sample";

export function TestPanel(props: {
  ws: string;
  hook: FunctionHook;
  /** The event types are still loading (undefined in the workbench). */
  loading: boolean;
  catalogError: ApiFailure | null;
  onReloadCatalog(): void;
  sample: TestSample;
  onRun(): void;
  running: boolean;
  /** The last run's failure (a compile error, a refused sample), if it failed. */
  error: ApiFailure | null;
  onDismissError(): void;
  result: RunResult | null;
  onRevealLine(line: number, column: number): void;
}) {
  const { sample } = props;
  const sampleField = useRef<HTMLTextAreaElement>(null);
  // A refused sample takes the focus, so the user lands where the fix is.
  useEffect(() => {
    if (sample.problem) sampleField.current?.focus();
  }, [sample.problem]);

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
  if (props.loading) return <Loading what="the event types" />;

  const { result } = props;
  const error = result ? readError(result.error) : null;
  const at = error ? errorPosition(error.stack) : null;
  return (
    <div class="test-panel">
      <p class="muted">
        Runs the code in the editor, saved or not, on a sample event. Nothing is logged or retried;{" "}
        <code>fetch</code> calls are real.
      </p>
      {sample.names.length === 0 ? (
        <p class="notice info">
          No event type in the catalog matches this hook's subscriptions ({props.hook.events.join(", ")}). Add
          one under <a href={href(props.ws, "event-types")}>Event types</a> to test with it.
        </p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            props.onRun();
          }}
        >
          <Field label="Event type">
            <select value={sample.chosen ?? ""} onChange={(e) => sample.choose(e.currentTarget.value)}>
              {sample.names.map((n) => (
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
              value={sample.text}
              aria-invalid={sample.problem !== null}
              aria-describedby={sample.problem ? "fw-sample-error" : undefined}
              onInput={(e) => sample.edit(e.currentTarget.value)}
            />
            {sample.problem && (
              <small id="fw-sample-error" class="field-error" role="alert">
                {sample.problem.message}
              </small>
            )}
          </label>
          <div class="row test-actions">
            <button type="submit" disabled={props.running} aria-keyshortcuts="Control+Enter Meta+Enter">
              {props.running ? "Running…" : "Run test"}
            </button>
            {sample.edited && (
              <button type="button" class="secondary" onClick={sample.reset}>
                Reset to the example
              </button>
            )}
          </div>
        </form>
      )}
      <ErrorNotice error={props.error} onDismiss={props.onDismissError} />
      {result && <RunResultView result={result} errorAt={at} onRevealLine={props.onRevealLine} />}
    </div>
  );
}
