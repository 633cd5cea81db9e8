// Protects what the activity charts compute before drawing: round axis tops, outcome order and
// colours (success at the bottom, failures by frequency), bucket words and the summaries' counts.
import { describe, expect, it } from "vitest";
import {
  bucketWords,
  formatMs,
  niceMax,
  outcomeCounts,
  outcomeOrder,
  seriesClass,
} from "../../editor-ui/src/ui/charts/chart-scale";

describe("chart scale", () => {
  it("rounds an axis top up to 1, 2, 2.5 or 5 times a power of ten", () => {
    expect([0, 1, 3, 4, 7, 12, 21, 38.5, 240, 999].map(niceMax)).toEqual([
      1, 1, 5, 5, 10, 20, 25, 50, 250, 1000,
    ]);
  });

  it("stacks success first, then failures most frequent first, each failure its own colour", () => {
    const counts = { timeout: 2, success: 9, http_error: 5, error: 2 };
    const order = outcomeOrder(counts);
    expect(order).toEqual(["success", "http_error", "error", "timeout"]);
    expect(order.map((o) => seriesClass(o, order))).toEqual([
      "series-success",
      "series-failure-0",
      "series-failure-1",
      "series-failure-2",
    ]);
    expect(outcomeOrder({ error: 1 })).toEqual(["error"]);
    expect(outcomeCounts(counts)).toBe("9 success, 5 http_error, 2 error, 2 timeout");
  });

  it("names bucket sizes and durations as the labels read them", () => {
    expect([60, 1800, 3600, 10_800].map(bucketWords)).toEqual(["minute", "30 minutes", "hour", "3 hours"]);
    expect([25, 38.5, 1250, 12_000].map(formatMs)).toEqual(["25 ms", "38.5 ms", "1.3 s", "12 s"]);
  });
});
