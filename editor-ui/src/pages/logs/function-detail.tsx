// A function attempt in full: CPU time, heap and wall time, the error it threw, the value it
// returned and its console output.
import type { LogRecord } from "../../api/types";
import { ConsoleLines, readConsole } from "../../ui/console-lines";
import { asObject, formatHeap, prettyJson } from "../../ui/format";
import { formatDuration } from "./log-parts";

export function FunctionDetail({ rec }: { rec: LogRecord }) {
  const error = asObject(rec.error);
  const result = asObject(rec.result);
  return (
    <>
      <section class="card" aria-labelledby="run-heading">
        <h2 id="run-heading">Run</h2>
        <dl class="facts">
          <dt>CPU time</dt>
          <dd>{formatDuration(rec.cpuMs)}</dd>
          <dt>Heap</dt>
          <dd>{formatHeap(rec.heapBytes)}</dd>
          <dt>Wall time</dt>
          <dd>{formatDuration(rec.durationMs)}</dd>
        </dl>
      </section>
      {error && (
        <section class="card" aria-labelledby="error-heading">
          <h2 id="error-heading">Error</h2>
          <p class="error-text">
            <strong>{typeof error.name === "string" ? error.name : "Error"}</strong>:{" "}
            {typeof error.message === "string" ? error.message : ""}
          </p>
          {typeof error.stack === "string" && <pre>{error.stack}</pre>}
        </section>
      )}
      <div class="grid-2 detail-grid">
        <section class="card" aria-labelledby="result-heading">
          <h2 id="result-heading">Result</h2>
          {result?.truncated === true && Object.keys(result).length === 1 ? (
            <p class="muted">The result was larger than the limit and was not kept.</p>
          ) : rec.result === null || rec.result === undefined ? (
            <p class="muted">The function returned nothing.</p>
          ) : (
            <pre>{prettyJson(rec.result)}</pre>
          )}
        </section>
        <section class="card" aria-labelledby="console-heading">
          <h2 id="console-heading">Console</h2>
          <ConsoleLines output={readConsole(rec.logs)} />
        </section>
      </div>
    </>
  );
}
