// Protects the retry policy: the default schedule and its ±20% jitter, the Retry-After rule
// (slows us down, never speeds us up, capped at 24 h), when to give up, how responses are
// classified (410 disables, other 4xx retry) and the 5-day auto-disable.
import { describe, expect, it } from "vitest";
import {
  classifyResponse,
  failingTooLong,
  MAX_ATTEMPTS,
  nextAttemptDelayMs,
  parseRetryAfter,
  RETRY_SCHEDULE_MS,
  shouldGiveUp,
} from "../../runtime/src/retry";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const mid = () => 0.5; // no jitter

describe("nextAttemptDelayMs", () => {
  it.each([
    [1, 5 * S],
    [2, 5 * M],
    [3, 30 * M],
    [4, 2 * H],
    [5, 5 * H],
    [6, 10 * H],
    [7, 10 * H],
    [8, null],
    [20, null],
    [0, 5 * S], // no attempt yet is read as the first failure, not a crash
  ])("after %i attempts waits %s ms", (attempts, expected) => {
    expect(nextAttemptDelayMs(attempts, { random: mid })).toBe(expected);
  });

  it.each([
    { random: 0, factor: 0.8 },
    { random: 1, factor: 1.2 },
    { random: 0.5, factor: 1 },
    { random: 0.75, factor: 1.1 },
    { random: -3, factor: 0.8 }, // a broken random source stays inside the bounds
    { random: 7, factor: 1.2 },
  ])("jitters by the random source: $random gives x$factor", ({ random, factor }) => {
    RETRY_SCHEDULE_MS.forEach((scheduled, i) => {
      expect(nextAttemptDelayMs(i + 1, { random: () => random })).toBe(Math.round(scheduled * factor));
    });
  });

  it("stays within ±20% with the real random source", () => {
    for (let i = 0; i < 200; i++) {
      const delay = nextAttemptDelayMs(2) ?? 0;
      expect(delay).toBeGreaterThanOrEqual(0.8 * 5 * M);
      expect(delay).toBeLessThanOrEqual(1.2 * 5 * M);
    }
  });

  it.each([
    { case: "a longer Retry-After wins", attempts: 1, retryAfterMs: 60 * S, expected: 60 * S },
    { case: "a shorter Retry-After is ignored", attempts: 4, retryAfterMs: 1 * S, expected: 2 * H },
    { case: "Retry-After is capped at 24 h", attempts: 1, retryAfterMs: 7 * D, expected: D },
    { case: "a null Retry-After falls back", attempts: 2, retryAfterMs: null, expected: 5 * M },
    { case: "Retry-After never extends the schedule", attempts: 8, retryAfterMs: 60 * S, expected: null },
  ])("$case", ({ attempts, retryAfterMs, expected }) => {
    expect(nextAttemptDelayMs(attempts, { random: mid, retryAfterMs })).toBe(expected);
  });
});

describe("shouldGiveUp", () => {
  it.each([
    [1, 3, false],
    [3, 3, true],
    [4, 3, true],
    [7, 8, false],
    [8, 8, true],
    [8, 50, true], // the schedule ends at 8 attempts whatever the hook asks
    [1, 1, true],
  ])("after %i of max %i attempts: %s", (attempts, max, expected) => {
    expect(shouldGiveUp(attempts, max)).toBe(expected);
  });

  it("agrees with the schedule's end", () => {
    expect(MAX_ATTEMPTS).toBe(8);
    expect(nextAttemptDelayMs(MAX_ATTEMPTS - 1)).not.toBeNull();
    expect(nextAttemptDelayMs(MAX_ATTEMPTS)).toBeNull();
  });
});

describe("parseRetryAfter", () => {
  const now = new Date("2026-11-22T10:00:00.000Z");
  it.each([
    { value: "7", expected: 7 * S },
    { value: " 120 ", expected: 120 * S },
    { value: "0", expected: 0 },
    { value: "Sun, 22 Nov 2026 10:01:30 GMT", expected: 90 * S },
    { value: "Sunday, 22-Nov-26 10:00:05 GMT", expected: 5 * S },
    { value: "Sun Nov 22 10:02:00 2026", expected: 2 * M },
    { value: "Sun Nov  1 10:00:00 2026", expected: null }, // in the past
    { value: "Sun, 22 Nov 2026 09:59:59 GMT", expected: null }, // in the past
    { value: "-5", expected: null },
    { value: "1.5", expected: null },
    { value: "1e3", expected: null },
    { value: "soon", expected: null },
    { value: "Sun, 22 Foo 2026 10:01:30 GMT", expected: null },
    { value: "2026-11-22T10:01:30Z", expected: null }, // not an HTTP-date
    { value: "", expected: null },
    { value: null, expected: null },
    { value: undefined, expected: null },
  ])("reads $value as $expected", ({ value, expected }) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe("classifyResponse", () => {
  it.each([
    [200, "success"],
    [201, "success"],
    [204, "success"],
    [299, "success"],
    [410, "gone"],
    [301, "retry"],
    [302, "retry"],
    [400, "retry"],
    [401, "retry"],
    [404, "retry"],
    [429, "retry"],
    [500, "retry"],
    [503, "retry"],
    [100, "retry"],
    [0, "retry"],
  ])("classifies %i as %s", (status, expected) => {
    expect(classifyResponse(status)).toBe(expected);
  });
});

describe("failingTooLong", () => {
  const now = new Date("2026-11-22T10:00:00.000Z");
  const ago = (ms: number) => new Date(now.getTime() - ms);
  it.each([
    { case: "not failing", since: null, expected: false },
    { case: "failing for an hour", since: ago(H), expected: false },
    { case: "failing for just under 5 days", since: ago(5 * D - 1), expected: false },
    { case: "failing for exactly 5 days", since: ago(5 * D), expected: true },
    { case: "failing for a week", since: ago(7 * D), expected: true },
  ])("$case: $expected", ({ since, expected }) => {
    expect(failingTooLong(since, now)).toBe(expected);
  });
});
