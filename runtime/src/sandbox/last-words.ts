// What a dying executor writes to stderr, and how the runtime reads it back: the reason and the
// invocation to blame. One format, both ends in this file.

const PREFIX = "hookrun executor: fatal: ";
const LINE = /hookrun executor: fatal: (.*?)(?: \(invocation (\d+)\))?$/m;

export function lastWords(reason: string, invocationId?: number): string {
  const oneLine = reason.replace(/\s+/g, " ").slice(0, 500);
  return `${PREFIX}${oneLine}${invocationId ? ` (invocation ${invocationId})` : ""}\n`;
}

export type Verdict = { reason: string; invocationId?: number; outOfMemory: boolean };

/** The verdict in an executor's stderr tail, if it died by its own hand. */
export function readLastWords(stderrTail: string): Verdict | undefined {
  const match = LINE.exec(stderrTail);
  if (!match) return undefined;
  const reason = match[1] ?? "";
  const verdict: Verdict = { reason, outOfMemory: /out[- ]of[- ]memory/i.test(reason) };
  if (match[2]) verdict.invocationId = Number(match[2]);
  return verdict;
}
