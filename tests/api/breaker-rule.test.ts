// The circuit breaker's rule without I/O (dispatch/breaker-rule.ts): which attempts are failures of
// a URL, how one batch's attempts to a URL add up, and each transition of its state (open at the
// threshold, a failed probe doubling the cool-down up to its cap, an answer closing it).
import { describe, expect, it } from "vitest";
import type { AttemptRecord } from "../../api/src/dispatch/attempt";
import {
  breakerSignal,
  type CircuitNow,
  MAX_COOLDOWN_MS,
  stepCircuit,
  tallyLine,
} from "../../api/src/dispatch/breaker-rule";

const callback = (outcome: string, status?: number): AttemptRecord => ({
  kind: "callback",
  outcome,
  startedAt: new Date(0),
  durationMs: 1,
  response: status === undefined ? null : { status, headers: {}, body: "", bodyTruncated: false },
});

describe("breakerSignal", () => {
  it.each([
    ["success", 200, "alive"],
    ["gone", 410, "alive"],
    ["http_error", 400, "alive"],
    ["http_error", 404, "alive"],
    ["http_error", 302, "alive"],
    ["http_error", 408, "failure"],
    ["http_error", 429, "failure"],
    ["http_error", 500, "failure"],
    ["http_error", 503, "failure"],
    ["timeout", undefined, "failure"],
    ["network_error", undefined, "failure"],
    ["blocked", undefined, "none"],
  ] as const)("%s %s is %s", (outcome, status, signal) => {
    expect(breakerSignal(callback(outcome, status))).toBe(signal);
  });

  it("ignores function runs", () => {
    expect(breakerSignal({ ...callback("error"), kind: "function" })).toBe("none");
  });
});

describe("tallyLine", () => {
  it("counts the failures after the last answer", () => {
    expect(tallyLine(["failure", "failure"])).toEqual({ alive: false, failures: 2 });
    expect(tallyLine(["failure", "alive", "failure"])).toEqual({ alive: true, failures: 1 });
    expect(tallyLine(["failure", "none", "failure"])).toEqual({ alive: false, failures: 2 });
    expect(tallyLine(["failure", "alive"])).toEqual({ alive: true, failures: 0 });
  });
});

describe("stepCircuit", () => {
  const BASE = 30_000;
  const closed = (failures: number): CircuitNow => ({ state: "closed", failures, cooldownMs: BASE });

  it("opens a closed URL when the streak reaches the threshold, not before", () => {
    expect(stepCircuit(closed(1), { alive: false, failures: 1 }, 3, BASE)).toMatchObject({
      state: "closed",
      failures: 2,
      began: false,
      transitions: [],
    });
    expect(stepCircuit(closed(2), { alive: false, failures: 1 }, 3, BASE)).toEqual({
      state: "open",
      failures: 3,
      cooldownMs: BASE,
      began: true,
      transitions: ["opened"],
    });
  });

  it("lets an answer end the streak before later failures count", () => {
    expect(stepCircuit(closed(2), { alive: true, failures: 2 }, 3, BASE)).toMatchObject({
      state: "closed",
      failures: 2,
      transitions: [],
    });
  });

  it("doubles the cool-down when a half-open URL fails, up to the cap", () => {
    const half = (cooldownMs: number): CircuitNow => ({ state: "half_open", failures: 12, cooldownMs });
    expect(stepCircuit(half(BASE), { alive: false, failures: 1 }, 10, BASE)).toEqual({
      state: "open",
      failures: 13,
      cooldownMs: 2 * BASE,
      began: true,
      transitions: [],
    });
    expect(stepCircuit(half(20 * 60_000), { alive: false, failures: 1 }, 10, BASE).cooldownMs).toBe(
      MAX_COOLDOWN_MS,
    );
  });

  it("keeps an open URL open on failures, counting them", () => {
    const open: CircuitNow = { state: "open", failures: 10, cooldownMs: 4 * BASE };
    expect(stepCircuit(open, { alive: false, failures: 2 }, 10, BASE)).toEqual({
      state: "open",
      failures: 12,
      cooldownMs: 4 * BASE,
      began: false,
      transitions: [],
    });
  });

  it("closes an open or half-open URL on an answer, resetting the cool-down", () => {
    for (const state of ["open", "half_open"] as const)
      expect(
        stepCircuit({ state, failures: 11, cooldownMs: 8 * BASE }, { alive: true, failures: 0 }, 10, BASE),
      ).toEqual({
        state: "closed",
        failures: 0,
        cooldownMs: BASE,
        began: true,
        transitions: ["recovered"],
      });
  });
});
