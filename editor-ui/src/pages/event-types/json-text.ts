// JSON typed by hand: parsed before anything is sent, with the problem's line and column.

export type JsonText =
  | { ok: true; empty: true }
  | { ok: true; empty: false; value: unknown }
  | { ok: false; message: string };

/** Parses a text area's JSON. An empty area is "nothing given", not an error. */
export function parseJsonText(text: string): JsonText {
  if (text.trim() === "") return { ok: true, empty: true };
  try {
    return { ok: true, empty: false, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: describeJsonError(text, error) };
  }
}

/** "line 3, column 7: …" from the engine's message, whichever way it reports the place. */
function describeJsonError(text: string, error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const lineCol = /line (\d+) column (\d+)/.exec(raw);
  const position = /at position (\d+)/.exec(raw);
  let where: { line: number; column: number } | null = null;
  if (lineCol) where = { line: Number(lineCol[1]), column: Number(lineCol[2]) };
  else if (position) where = lineAndColumn(text, Number(position[1]));
  else if (/end of JSON input|Unterminated/i.test(raw)) where = lineAndColumn(text, text.length);
  const reason = raw
    .replace(/\s*\(line \d+ column \d+\)/, "")
    .replace(/\s*in JSON at position \d+/, "")
    .replace(/^JSON\.parse: /, "");
  return where ? `line ${where.line}, column ${where.column}: ${reason}` : reason;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split("\n");
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/** A value as the text area shows it: pretty JSON, or empty for "none". */
export function toJsonText(value: unknown): string {
  return value === undefined || value === null ? "" : JSON.stringify(value, null, 2);
}
