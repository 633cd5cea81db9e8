// Maps an error stack from the compiled script back to the customer's own source lines, and drops
// the prelude's frames (they are ours, not theirs).
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";
import { SCRIPT_FILENAME } from "../script-names";
import { PRELUDE_FILENAME } from "./prelude";

const FRAME = new RegExp(`${SCRIPT_FILENAME.replace(/\./g, "\\.")}:(\\d+):(\\d+)`, "g");

// A stack is already capped where it is described, but mapping must stay bounded whatever comes.
const MAX_STACK_CHARS = 16_384;
const MAX_FRAMES = 100;

export function mapStack(stack: string, map: TraceMap): string {
  return stack
    .slice(0, MAX_STACK_CHARS)
    .split("\n", MAX_FRAMES)
    .filter((line) => !line.includes(PRELUDE_FILENAME))
    .map((line) =>
      line.replace(FRAME, (whole, l: string, c: string) => {
        const pos = originalPositionFor(map, { line: Number(l), column: Number(c) - 1 });
        return pos.source === null ? whole : `${pos.source}:${pos.line}:${pos.column + 1}`;
      }),
    )
    .join("\n");
}

/** Parses a source map lazily: only error paths need it. */
export function lazyTraceMap(sourceMap: string): () => TraceMap {
  let map: TraceMap | undefined;
  return () => {
    map ??= new TraceMap(sourceMap);
    return map;
  };
}
