// Protects the decision of what becomes of a dead executor's runs: the named culprit alone fails
// (memory_limit for V8's out-of-memory) and is suspected while the others run again; a lone run is
// the culprit; a blame naming no run held, or none with several runs, crashes them all and
// suspects nobody.
import { describe, expect, it } from "vitest";
import { type Fate, fatesOf } from "../../runtime/src/sandbox/dead-executor";

const runs = [
  { id: 1, started: 0 },
  { id: 2, started: 50 },
];
const oom = { reason: "Catastrophic out-of-memory error", outOfMemory: true };
const summary = (fates: Fate[]) =>
  fates.map((f) => (f === "lost" ? "lost" : `${f.outcome.status}${f.suspect ? " (suspect)" : ""}`));

describe("fatesOf", () => {
  it.each([
    ["a named culprit among several", runs, { ...oom, invocationId: 2 }, ["lost", "memory_limit (suspect)"]],
    [
      "a named culprit that is not out of memory",
      runs,
      { reason: "x", outOfMemory: false, invocationId: 1 },
      ["crashed (suspect)", "lost"],
    ],
    ["a lone run without last words", [runs[0]], undefined, ["crashed (suspect)"]],
    ["a lone run named out of memory", [runs[0]], { ...oom, invocationId: 1 }, ["memory_limit (suspect)"]],
    ["several runs without last words", runs, undefined, ["crashed", "crashed"]],
    ["a blame naming a run no longer held", runs, { ...oom, invocationId: 9 }, ["crashed", "crashed"]],
  ] as const)("%s", (_label, held, verdict, expected) => {
    expect(
      summary(fatesOf([...held] as { id: number; started: number }[], verdict, "exited (SIGKILL)", 100)),
    ).toEqual(expected);
  });

  it("reports how long the failed run ran, and why", () => {
    const [fate] = fatesOf([{ id: 3, started: 40 }], undefined, "exited (SIGKILL)", 100);
    expect(fate).toMatchObject({
      outcome: { wallMs: 60, error: { message: "the sandbox process exited (SIGKILL)" } },
    });
  });
});
