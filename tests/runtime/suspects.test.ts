// Protects the two pure parts of crash containment: an executor's last words name the reason and
// the invocation to blame and read back exactly (whatever the reason's text), and a suspicion
// lasts its time, is renewed by a new crash, lapses only with time, and is bounded in number.
import { describe, expect, it } from "vitest";
import { lastWords, readLastWords } from "../../runtime/src/sandbox/last-words";
import { Suspects } from "../../runtime/src/sandbox/suspects";

describe("an executor's last words", () => {
  it.each([
    [
      "Catastrophic out-of-memory error",
      42,
      { reason: "Catastrophic out-of-memory error", invocationId: 42, outOfMemory: true },
    ],
    [
      "isolate did not stop after dispose",
      undefined,
      { reason: "isolate did not stop after dispose", outOfMemory: false },
    ],
    [
      "multi\nline (invocation 7) reason",
      9,
      { reason: "multi line (invocation 7) reason", invocationId: 9, outOfMemory: false },
    ],
  ])("read back what was written: %s", (reason, id, verdict) => {
    const written = lastWords(reason, id);
    expect(written.endsWith("\n")).toBe(true);
    expect(readLastWords(`some earlier noise\n${written}`)).toEqual(verdict);
  });

  it("finds nothing in a stderr without them", () => {
    expect(readLastWords("Segmentation fault\n")).toBeUndefined();
  });
});

describe("Suspects", () => {
  it("suspects a key for its time, renews on a new mark, and forgets only when it lapses", () => {
    let now = 0;
    const suspects = new Suspects(1000, () => now);
    suspects.mark("v1");
    now = 999;
    expect(suspects.has("v1")).toBe(true);
    suspects.mark("v1");
    now = 1500;
    expect(suspects.has("v1")).toBe(true);
    now = 2000;
    expect(suspects.has("v1")).toBe(false);
    expect(suspects.size).toBe(0);
  });

  it("keeps at most its bound, dropping the oldest suspicion", () => {
    const suspects = new Suspects(1000, () => 0, 2);
    suspects.mark("a");
    suspects.mark("b");
    suspects.mark("c");
    expect([suspects.has("a"), suspects.has("b"), suspects.has("c")]).toEqual([false, true, true]);
  });
});
