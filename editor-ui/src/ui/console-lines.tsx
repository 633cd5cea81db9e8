// A run's console output, as the test panel and an attempt's log both show it: one line per call,
// with its level (errors and warnings stand out), the time when it was recorded, and a note when the
// runtime dropped later lines at its limit.
import { asObject } from "./format";
import "./console-lines.css";

export interface ConsoleLine {
  level: string;
  message: string;
  /** When the line was written (ISO), if the record kept it. */
  time: string | null;
}

export interface ConsoleOutput {
  lines: ConsoleLine[];
  truncated: boolean;
}

/** The `logs` of a run result or an attempt record ({lines, truncated}), whatever shape it came in. */
export function readConsole(value: unknown): ConsoleOutput {
  const logs = asObject(value);
  const raw: unknown[] = Array.isArray(logs?.lines) ? logs.lines : [];
  const lines = raw.map((entry): ConsoleLine => {
    const line = asObject(entry);
    const message = line?.message;
    return {
      level: typeof line?.level === "string" ? line.level : "log",
      message: typeof message === "string" ? message : message === undefined ? "" : String(message),
      time: typeof line?.time === "string" ? line.time : null,
    };
  });
  return { lines, truncated: logs?.truncated === true };
}

const LEVEL_TONE: Record<string, string> = { error: "bad", warn: "warn" };

export function ConsoleLines({ output }: { output: ConsoleOutput }) {
  return (
    <>
      {output.lines.length === 0 ? (
        <p class="muted">No console output.</p>
      ) : (
        <ol class="console-lines" aria-label="Console output">
          {output.lines.map((line, i) => (
            <li key={i}>
              {line.time && (
                <time class="muted console-time" dateTime={line.time} title={line.time}>
                  {new Date(line.time).toLocaleTimeString()}
                </time>
              )}
              <span class={`badge ${LEVEL_TONE[line.level] ?? ""}`}>{line.level}</span>
              <code>{line.message}</code>
            </li>
          ))}
        </ol>
      )}
      {output.truncated && (
        <p class="muted">Later lines were dropped: the run reached its console output limit.</p>
      )}
    </>
  );
}
