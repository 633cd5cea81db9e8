// Protects the per-workspace memory budget of running functions: runs beyond it wait (first come,
// first served), other workspaces are never held up, an oversized run still runs alone, and a
// release given twice frees once.
import { describe, expect, it } from "vitest";
import { WorkspaceGate } from "../../runtime/src/sandbox/workspace-gate";

const tick = () => new Promise((r) => setImmediate(r));

/** Resolves like `entering`, noting its name in `order` once admitted. */
function noted(entering: Promise<() => void>, order: string[], name: string): Promise<() => void> {
  return entering.then((release) => {
    order.push(name);
    return release;
  });
}

describe("WorkspaceGate", () => {
  it("admits runs up to the budget and queues the rest in order", async () => {
    const gate = new WorkspaceGate(256);
    const a = await gate.enter("ws", 128);
    const b = await gate.enter("ws", 128);
    const order: string[] = [];
    const c = noted(gate.enter("ws", 64), order, "c");
    const d = noted(gate.enter("ws", 64), order, "d");
    await tick();
    expect(order).toEqual([]);
    expect(gate.reservedMb("ws")).toBe(256);
    a();
    await tick();
    expect(order).toEqual(["c", "d"]);
    expect(gate.reservedMb("ws")).toBe(256);
    b();
    (await c)();
    (await d)();
    expect(gate.reservedMb("ws")).toBe(0);
  });

  it("never holds up another workspace", async () => {
    const gate = new WorkspaceGate(128);
    await gate.enter("ws_a", 128);
    const other = await gate.enter("ws_b", 128);
    expect(gate.reservedMb("ws_b")).toBe(128);
    other();
  });

  it("keeps a later small run behind an earlier large one (no overtaking)", async () => {
    const gate = new WorkspaceGate(128);
    const first = await gate.enter("ws", 96);
    const order: string[] = [];
    const big = noted(gate.enter("ws", 64), order, "big");
    const small = noted(gate.enter("ws", 16), order, "small");
    await tick();
    expect(order).toEqual([]);
    first();
    await tick();
    expect(order).toEqual(["big", "small"]);
    (await big)();
    (await small)();
  });

  it("runs an oversized run alone and frees a twice-released reservation once", async () => {
    const gate = new WorkspaceGate(64);
    const huge = await gate.enter("ws", 128);
    expect(gate.reservedMb("ws")).toBe(64);
    huge();
    huge();
    expect(gate.reservedMb("ws")).toBe(0);
  });
});
