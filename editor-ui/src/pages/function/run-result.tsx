// What a test run did: outcome, time and memory, the returned value, console lines and the error
// (with a link to its line in the editor).
import type { RunResult } from "../../api/types";
import type { SourcePosition } from "../../monaco/stack-position";
import { ConsoleLines, readConsole } from "../../ui/console-lines";
import { asObject, formatHeap, prettyJson } from "../../ui/format";
import { OutcomeBadge } from "../../ui/outcome-badge";

export interface RunError {
  name: string;
  message: string;
  stack?: string;
}

/** The error of a run, when it has one of the runtime's shape. */
export function readError(value: unknown): RunError | null {
  const e = asObject(value);
  if (!e) return null;
  return {
    name: typeof e.name === "string" ? e.name : "Error",
    message: typeof e.message === "string" ? e.message : "",
    stack: typeof e.stack === "string" ? e.stack : undefined,
  };
}

export function RunResultView(props: {
  result: RunResult;
  errorAt: SourcePosition | null;
  onRevealLine(line: number, column: number): void;
}) {
  const { result, errorAt } = props;
  const error = readError(result.error);
  const logs = readConsole(result.logs);
  const truncated = asObject(result.result)?.truncated === true;
  return (
    <section class="run-result" aria-label="Test result">
      <div class="run-summary">
        <OutcomeBadge outcome={result.outcome} label="Outcome: " />
        <dl class="run-metrics">
          <div>
            <dt>Duration</dt>
            <dd>{result.durationMs} ms</dd>
          </div>
          <div>
            <dt>CPU</dt>
            <dd>{result.cpuMs === null ? "—" : `${result.cpuMs.toFixed(1)} ms`}</dd>
          </div>
          <div>
            <dt>Heap</dt>
            <dd title={result.heapBytes === 0 ? "Not measured: the run was stopped" : undefined}>
              {formatHeap(result.heapBytes)}
            </dd>
          </div>
        </dl>
      </div>

      {error && (
        <div class="run-error" role="alert">
          <strong>
            {error.name}: {error.message}
          </strong>
          {errorAt && (
            <button
              type="button"
              class="link"
              onClick={() => props.onRevealLine(errorAt.line, errorAt.column)}
            >
              Go to line {errorAt.line}
            </button>
          )}
          {error.stack && <pre class="run-stack">{error.stack}</pre>}
        </div>
      )}

      <section aria-labelledby="fw-returned">
        <h3 id="fw-returned">Returned</h3>
        {result.result === null ? (
          <p class="muted">Nothing (the function returned undefined or null).</p>
        ) : truncated ? (
          <p class="muted">The returned value was larger than 64 KiB and was not kept.</p>
        ) : (
          <pre>{prettyJson(result.result)}</pre>
        )}
      </section>

      <h3>Console</h3>
      <ConsoleLines output={logs} />

      <details>
        <summary>Event passed to the function</summary>
        <pre>{prettyJson(result.event)}</pre>
      </details>
    </section>
  );
}
