// Protects the hot cache's per-workspace entries (api/src/services/scoped-entries.ts): everything
// they hold together stays under their weight bound however many workspaces are read (the oldest
// workspace's oldest entries go first), an expired entry is forgotten when looked up, a drop frees
// its workspace's weight, and a value read before its workspace was dropped is never stored.
import { describe, expect, it } from "vitest";
import { ScopedEntries } from "../../api/src/services/scoped-entries";

const entries = (maxWeight: number, ttlMs = 60_000) =>
  new ScopedEntries<string>({ ttlMs, maxWeight, weigh: (value) => value.length });

describe("scoped entries", () => {
  it("stays under its weight across workspaces, forgetting the oldest workspace's oldest first", () => {
    const cache = entries(6);
    cache.put("A", "1", "aa", cache.generation("A"));
    cache.put("A", "2", "aa", cache.generation("A"));
    cache.put("B", "1", "bb", cache.generation("B"));
    expect(cache.weight).toBe(6);
    cache.put("C", "1", "ccc", cache.generation("C"));
    expect(cache.weight).toBeLessThanOrEqual(6);
    expect(cache.get("A", "1")).toBeUndefined();
    expect(cache.get("A", "2")).toBeUndefined();
    expect(cache.get("B", "1")).toBe("bb");
    expect(cache.get("C", "1")).toBe("ccc");
    for (let ws = 0; ws < 1000; ws++) cache.put(`W${ws}`, "x", "w", cache.generation(`W${ws}`));
    expect(cache.weight).toBe(6);
  });

  it("does not store a value heavier than the whole bound, and counts a replaced value once", () => {
    const cache = entries(4);
    cache.put("A", "1", "xxxxx", cache.generation("A"));
    expect(cache.get("A", "1")).toBeUndefined();
    expect(cache.weight).toBe(0);
    cache.put("A", "1", "xx", cache.generation("A"));
    cache.put("A", "1", "yyy", cache.generation("A"));
    expect(cache.weight).toBe(3);
    expect(cache.get("A", "1")).toBe("yyy");
  });

  it("forgets an expired entry when it is looked up", async () => {
    const cache = entries(10, 1);
    cache.put("A", "1", "aa", cache.generation("A"));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(cache.get("A", "1")).toBeUndefined();
    expect(cache.weight).toBe(0);
  });

  it("frees a dropped workspace's weight, and never stores what was read before the drop", async () => {
    const cache = entries(10);
    cache.put("A", "1", "aaa", cache.generation("A"));
    cache.put("B", "1", "bb", cache.generation("B"));
    const before = cache.generation("A");
    cache.drop("A");
    expect(cache.weight).toBe(2);
    cache.put("A", "1", "old", before);
    expect(cache.get("A", "1")).toBeUndefined();
    expect(await cache.read("A", "1", async () => "new")).toBe("new");
    expect(cache.get("A", "1")).toBe("new");
    cache.drop("*");
    expect(cache.weight).toBe(0);
  });
});
