// Where in the customer's source an error happened, read from a run's source-mapped stack. The
// runtime maps frames of the compiled script back to the source file the compiler was given
// (runtime/src/sandbox/stack.ts), which compileFunction names "function.ts" by default
// (runtime/src/compile.ts); frames of the sandbox's own prelude are already dropped.

/** The file name user frames carry in a mapped stack. */
export const FUNCTION_FILE = "function.ts";

const FRAME = /(?:^|[\s(/])function\.ts:(\d+):(\d+)/;

export interface SourcePosition {
  line: number;
  column: number;
}

/** The innermost frame of the customer's own code in a stack (1-based line and column), or null. */
export function errorPosition(stack: string | null | undefined): SourcePosition | null {
  if (!stack) return null;
  for (const line of stack.split("\n")) {
    const match = FRAME.exec(line);
    if (match) return { line: Number(match[1]), column: Number(match[2]) };
  }
  return null;
}
