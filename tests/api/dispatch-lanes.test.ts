// Protects the dispatch worker's scheduling rules (api/src/dispatch/lanes.ts), one by one and
// without a database or a clock: the per-host and overall limits, hosts taking turns, the claim's
// size (HOST_SHARE rounds less the heaviest backlog, never past the room), the quarter-of-the-room
// rule for when a claim is worth it, the rules that ask for another claim (a full claim, a host
// dropping below a full round, a wake-up naming a host with room), and handing back on stop.
// Expected numbers are written out, not derived from the constants, so changing a rule fails here.
import { describe, expect, it } from "vitest";
import { HostLanes, type LaneLimits } from "../../api/src/dispatch/lanes";

/** Lanes whose items are their ids, with the worker's defaults unless a test says otherwise. */
function lanesWith(limits: Partial<LaneLimits> = {}): HostLanes<string> {
  return new HostLanes<string>({ concurrency: 64, perHost: 16, prefetch: 64, ...limits });
}

/** Queues `count` deliveries to `host`, with ids host-0, host-1, … continuing its numbering. */
function queue(lanes: HostLanes<string>, host: string, count: number, from = 0): void {
  for (let i = from; i < from + count; i++) lanes.enqueue(host, `${host}-${i}`, `${host}-${i}`);
}

/** The ids the lanes let start now. */
const start = (lanes: HostLanes<string>) => lanes.startable().map((s) => s.id);

describe("what may start", () => {
  it("starts at most perHost to one host; a finish lets the next one start", () => {
    const lanes = lanesWith({ perHost: 2 });
    queue(lanes, "a", 5);
    expect(start(lanes)).toEqual(["a-0", "a-1"]);
    expect(start(lanes)).toEqual([]);
    expect([lanes.runningCount, lanes.waitingCount]).toEqual([2, 3]);
    lanes.finished("a", "a-0");
    expect(start(lanes)).toEqual(["a-2"]);
  });

  it("starts at most concurrency overall, across hosts", () => {
    const lanes = lanesWith({ concurrency: 3, perHost: 5 });
    queue(lanes, "a", 2);
    queue(lanes, "b", 2);
    expect(start(lanes)).toEqual(["a-0", "b-0", "a-1"]);
    expect([lanes.runningCount, lanes.waitingCount]).toEqual([3, 1]);
  });

  it("lets hosts take turns at the overall limit, so a deep lane does not keep every slot", () => {
    const lanes = lanesWith({ concurrency: 2, perHost: 2, prefetch: 4 });
    queue(lanes, "a", 4);
    queue(lanes, "b", 1);
    // Not a-0 and a-1, though a's were claimed first and a may run two.
    expect(start(lanes)).toEqual(["a-0", "b-0"]);
  });

  it("gives a freed slot to the host that has waited longest, not to the one that freed it", () => {
    const lanes = lanesWith({ concurrency: 2, perHost: 2 });
    queue(lanes, "a", 3);
    queue(lanes, "b", 3);
    queue(lanes, "c", 3);
    expect(start(lanes)).toEqual(["a-0", "b-0"]);
    lanes.finished("a", "a-0");
    expect(start(lanes)).toEqual(["c-0"]);
    lanes.finished("b", "b-0");
    expect(start(lanes)).toEqual(["a-1"]);
  });

  it("serves many hosts one each, in the order they came, then the next ones", () => {
    const lanes = lanesWith({ concurrency: 10, perHost: 4 });
    for (let h = 0; h < 50; h++) queue(lanes, `h${h}`, 2);
    const first = start(lanes);
    expect(first).toEqual(Array.from({ length: 10 }, (_, h) => `h${h}-0`));
    for (const id of first) lanes.finished(id.split("-")[0] as string, id);
    expect(start(lanes)).toEqual(Array.from({ length: 10 }, (_, h) => `h${h + 10}-0`));
  });

  it("forgets a lane left empty, so its host's next delivery takes the last turn", () => {
    const lanes = lanesWith({ concurrency: 1, perHost: 2 });
    queue(lanes, "a", 1);
    expect(start(lanes)).toEqual(["a-0"]);
    lanes.finished("a", "a-0");
    // This pass finds a's lane with nothing running or waiting, and drops it.
    expect(start(lanes)).toEqual([]);
    queue(lanes, "b", 2);
    queue(lanes, "a", 1, 1);
    expect(start(lanes)).toEqual(["b-0"]);
  });

  it("starts nothing when nothing waits, and hands out each delivery once", () => {
    const lanes = lanesWith();
    expect(start(lanes)).toEqual([]);
    queue(lanes, "a", 3);
    expect(start(lanes)).toEqual(["a-0", "a-1", "a-2"]);
    expect(start(lanes)).toEqual([]);
  });
});

describe("how much a claim may take", () => {
  it("counts room as concurrency + prefetch less what runs and what waits", () => {
    const lanes = lanesWith({ concurrency: 4, prefetch: 6, perHost: 2 });
    expect(lanes.room).toBe(10);
    queue(lanes, "a", 3);
    expect(lanes.room).toBe(7);
    start(lanes);
    expect([lanes.runningCount, lanes.waitingCount, lanes.room]).toEqual([2, 1, 7]);
    lanes.finished("a", "a-0");
    expect(lanes.room).toBe(8);
  });

  it("takes three rounds of perHost (HOST_SHARE) when no host has a backlog", () => {
    expect(lanesWith({ perHost: 16 }).beginClaim()).toEqual({ limit: 48, skipped: [] });
    expect(lanesWith({ perHost: 2 }).beginClaim()).toEqual({ limit: 6, skipped: [] });
  });

  it("takes less what the heaviest host below a full round already has", () => {
    const lanes = lanesWith({ perHost: 4 });
    queue(lanes, "a", 3);
    queue(lanes, "b", 1);
    expect(lanes.beginClaim()).toEqual({ limit: 12 - 3, skipped: [] });
  });

  it("skips hosts at a full round (running and waiting together), which do not count as heaviest", () => {
    const lanes = lanesWith({ perHost: 4 });
    queue(lanes, "a", 6);
    queue(lanes, "b", 2);
    queue(lanes, "c", 4);
    start(lanes);
    // a: 4 running, 2 waiting; b: 2 running; c: 4 running.
    expect(lanes.beginClaim()).toEqual({ limit: 12 - 2, skipped: ["a", "c"] });
    expect(lanes.atFullRound("a")).toBe(true);
    expect(lanes.atFullRound("b")).toBe(false);
    expect(lanes.atFullRound("unknown")).toBe(false);
  });

  it("lets other hosts claim their whole share while one host hogs three rounds", () => {
    const lanes = lanesWith({ perHost: 2 });
    queue(lanes, "hog", 6);
    start(lanes);
    expect(lanes.beginClaim()).toEqual({ limit: 6, skipped: ["hog"] });
  });

  it("never takes more than the room", () => {
    const lanes = lanesWith({ concurrency: 2, prefetch: 2, perHost: 16 });
    queue(lanes, "a", 1);
    expect(lanes.beginClaim()).toEqual({ limit: 3, skipped: [] });
  });

  it("with no room, takes nothing and wants no claim", () => {
    const lanes = lanesWith({ concurrency: 1, prefetch: 1, perHost: 4 });
    queue(lanes, "a", 2);
    start(lanes);
    expect(lanes.room).toBe(0);
    expect(lanes.claimWorthwhile).toBe(false);
    expect(lanes.claimWanted).toBe(false);
    expect(lanes.beginClaim().limit).toBe(0);
  });
});

describe("when a claim is wanted", () => {
  it("is wanted at the start; beginning a claim consumes the signal, and a wake-up brings it back", () => {
    const lanes = lanesWith();
    expect(lanes.claimWanted).toBe(true);
    lanes.beginClaim();
    expect(lanes.claimWanted).toBe(false);
    lanes.moreMayBeDue();
    expect(lanes.claimWanted).toBe(true);
  });

  it("while deliveries wait, is worth it only once a quarter of concurrency + prefetch is free", () => {
    // Capacity 8: a quarter is 2.
    const cases = [
      { waiting: 7, worthwhile: false },
      { waiting: 6, worthwhile: true },
      { waiting: 1, worthwhile: true },
    ];
    for (const { waiting, worthwhile } of cases) {
      const lanes = lanesWith({ concurrency: 4, prefetch: 4, perHost: 8 });
      queue(lanes, "a", waiting);
      expect({ waiting, worthwhile: lanes.claimWorthwhile }).toEqual({ waiting, worthwhile });
    }
  });

  it("rounds the quarter up in effect: capacity 10 needs 3 free while deliveries wait", () => {
    const lanes = lanesWith({ concurrency: 5, prefetch: 5, perHost: 10 });
    queue(lanes, "a", 8);
    expect(lanes.claimWorthwhile).toBe(false);
    const more = lanesWith({ concurrency: 5, prefetch: 5, perHost: 10 });
    queue(more, "a", 7);
    expect(more.claimWorthwhile).toBe(true);
  });

  it("with nothing waiting, any free room is worth a claim", () => {
    const lanes = lanesWith({ concurrency: 8, prefetch: 0, perHost: 8 });
    queue(lanes, "a", 7);
    expect(start(lanes)).toHaveLength(7);
    expect([lanes.waitingCount, lanes.room]).toEqual([0, 1]);
    expect(lanes.claimWorthwhile).toBe(true);
  });

  it("wants another claim at once after a full claim that reached a host with room", () => {
    const lanes = lanesWith({ perHost: 2 });
    lanes.beginClaim();
    queue(lanes, "a", 1);
    lanes.endClaim(["a"], 1);
    expect(lanes.claimWanted).toBe(true);
  });

  it("wants none after a full claim whose hosts are all at a full round", () => {
    const lanes = lanesWith({ perHost: 2 });
    lanes.beginClaim();
    queue(lanes, "a", 2);
    queue(lanes, "b", 2);
    lanes.endClaim(["a", "a", "b", "b"], 4);
    expect(lanes.claimWanted).toBe(false);
  });

  it("wants none after a claim that found less than its limit", () => {
    const lanes = lanesWith({ perHost: 2 });
    const { limit } = lanes.beginClaim();
    queue(lanes, "a", 1);
    lanes.endClaim(["a"], limit);
    expect(lanes.claimWanted).toBe(false);
  });

  it("takes a wake-up as worth a claim for any host, or for a named host not at a full round", () => {
    const lanes = lanesWith({ perHost: 2 });
    queue(lanes, "full", 2);
    queue(lanes, "half", 1);
    expect(lanes.wakeWorthClaiming(null)).toBe(true);
    expect(lanes.wakeWorthClaiming(["full"])).toBe(false);
    expect(lanes.wakeWorthClaiming(["full", "half"])).toBe(true);
    expect(lanes.wakeWorthClaiming(["new"])).toBe(true);
  });
});

describe("when a delivery finishes", () => {
  /** `queued` deliveries to host a, started as far as perHost allows, a claim begun, then a-0 done. */
  function firstFinished(perHost: number, queued: number): HostLanes<string> {
    const lanes = lanesWith({ perHost });
    queue(lanes, "a", queued);
    start(lanes);
    lanes.beginClaim();
    lanes.finished("a", "a-0");
    return lanes;
  }

  it("wants a claim when its host drops from exactly a full round to one below", () => {
    expect(firstFinished(2, 2).claimWanted).toBe(true);
  });

  it("wants none while its host still has a full round, and then when it drops below", () => {
    const lanes = firstFinished(2, 3);
    expect(lanes.claimWanted).toBe(false);
    expect(start(lanes)).toEqual(["a-2"]);
    lanes.finished("a", "a-1");
    expect(lanes.claimWanted).toBe(true);
  });

  it("wants none when its host was below a full round, and frees its slot", () => {
    const lanes = firstFinished(3, 1);
    expect(lanes.claimWanted).toBe(false);
    expect([lanes.runningCount, lanes.room]).toEqual([0, 128]);
  });
});

describe("waiting deliveries", () => {
  it("lists the waiting ids lane by lane in turn order, for lease renewal", () => {
    const lanes = lanesWith({ concurrency: 1, perHost: 1 });
    queue(lanes, "a", 2);
    queue(lanes, "b", 2);
    expect(start(lanes)).toEqual(["a-0"]);
    expect(lanes.waitingIds()).toEqual(["b-0", "b-1", "a-1"]);
  });

  it("hands back everything waiting when stopping, and keeps counting what runs", () => {
    const lanes = lanesWith({ concurrency: 2, prefetch: 4, perHost: 1 });
    queue(lanes, "a", 3);
    queue(lanes, "b", 2);
    start(lanes);
    expect(lanes.handBack()).toEqual(["a-1", "a-2", "b-1"]);
    expect([lanes.runningCount, lanes.waitingCount, lanes.room]).toEqual([2, 0, 4]);
    expect(lanes.waitingIds()).toEqual([]);
    lanes.finished("a", "a-0");
    expect(start(lanes)).toEqual([]);
    expect(lanes.runningCount).toBe(1);
  });
});
