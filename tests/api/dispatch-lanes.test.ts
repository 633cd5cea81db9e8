// Protects the dispatch worker's scheduling rules (api/src/dispatch/lanes.ts), one by one and
// without a database or a clock: the per-host and overall limits, hosts taking turns, the claim's
// size (HOST_SHARE rounds less the heaviest backlog, never past the room), the quarter-of-the-room
// rule for when a claim is worth it, the rules that ask for another claim (a full claim, a host
// dropping below a full round, a wake-up naming a host with room), and handing back on stop; and
// each host's adaptive limit (host-limit.ts): growth while pressed and fast, cuts on overload and
// rising latency, the ceiling, the floor of 1, and the rules above following the moving limit.
// Expected numbers are written out, not derived from the constants, so changing a rule fails here.
import { describe, expect, it } from "vitest";
import { type Feedback, lessOwnDelay } from "../../api/src/dispatch/host-limit";
import { HostLanes, type LaneLimits } from "../../api/src/dispatch/lanes";

/**
 * Lanes whose items are their ids, with the worker's defaults unless a test says otherwise. A
 * host's limit starts at perHost unless `initialPerHost` says otherwise: the fixed-limit rules are
 * tested with a limit that has not moved.
 */
function lanesWith(limits: Partial<LaneLimits> = {}): HostLanes<string> {
  const perHost = limits.perHost ?? 16;
  return new HostLanes<string>({
    concurrency: 64,
    perHost,
    prefetch: 64,
    initialPerHost: perHost,
    ...limits,
  });
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

describe("each host's adaptive limit", () => {
  const success = (durationMs: number): Feedback => ({ kind: "success", durationMs });
  const overload: Feedback = { kind: "overload" };

  /** Lanes with adaptive limits (start at 8, ceiling 128, room enough to stay out of the way) and a driver. */
  function adaptive(limits: Partial<LaneLimits> = {}) {
    const lanes = new HostLanes<string>({
      concurrency: 4096,
      perHost: 128,
      prefetch: 4096,
      initialPerHost: 8,
      ...limits,
    });
    /** What runs, by host, in the order it started. */
    const inFlight = new Map<string, string[]>();
    const running = (host: string) => inFlight.get(host) ?? [];
    let seq = 0;
    const startAll = () => {
      for (const s of lanes.startable()) inFlight.set(s.host, [...running(s.host), s.id]);
    };
    const finish = (host: string, id: string, feedback: Feedback) => {
      inFlight.set(
        host,
        running(host).filter((r) => r !== id),
      );
      lanes.finished(host, id, feedback);
    };
    return {
      lanes,
      running,
      startAll,
      finish,
      /** Queues `count` to `host`, numbered on from what it queued before. */
      queue(host: string, count: number) {
        for (let i = 0; i < count; i++, seq++) lanes.enqueue(host, `${host}-${seq}`, `${host}-${seq}`);
      },
      /**
       * Keeps `host` pressed (one more waiting than its limit), and finishes `count` of its
       * deliveries oldest first, each with `feedback`, starting the next as each slot frees.
       */
      finishPressed(host: string, count: number, feedback: Feedback) {
        for (let i = 0; i < count; i++) {
          const short = lanes.hostLimit(host) + 1 - running(host).length - waitingOf(host);
          this.queue(host, Math.max(0, short));
          startAll();
          finish(host, running(host)[0] as string, feedback);
        }
      },
    };
    function waitingOf(host: string): number {
      return lanes.waitingIds().filter((id) => id.startsWith(`${host}-`)).length;
    }
  }

  it("starts an unknown host at the initial limit, and lets only that many start", () => {
    const { lanes, queue } = adaptive();
    queue("a", 20);
    expect(start(lanes)).toHaveLength(8);
    expect([lanes.hostLimit("a"), lanes.hostLimit("unknown")]).toEqual([8, 8]);
  });

  it("grows by one per round of successes (a round is the limit's worth) while the host is pressed", () => {
    const d = adaptive();
    d.finishPressed("a", 7, success(5));
    expect(d.lanes.hostLimit("a")).toBe(8);
    d.finishPressed("a", 1, success(5));
    expect(d.lanes.hostLimit("a")).toBe(9);
    d.finishPressed("a", 9, success(5));
    expect(d.lanes.hostLimit("a")).toBe(10);
    d.queue("a", 10);
    d.startAll();
    expect(d.running("a")).toHaveLength(10);
  });

  it("grows past the old fixed 16 up to the ceiling, and not beyond", () => {
    const d = adaptive({ perHost: 40 });
    d.finishPressed("a", 2_000, success(5));
    expect(d.lanes.hostLimit("a")).toBe(40);
    d.queue("a", 40);
    d.startAll();
    expect(d.running("a")).toHaveLength(40);
  });

  it("does not grow a host that never uses its limit", () => {
    const d = adaptive();
    for (let i = 0; i < 100; i++) {
      d.queue("a", 2);
      d.startAll();
      for (const id of d.running("a")) d.finish("a", id, success(5));
    }
    expect(d.lanes.hostLimit("a")).toBe(8);
  });

  it("halves on overload, once per window: the others started before the cut are ignored", () => {
    const d = adaptive();
    d.queue("a", 8);
    d.startAll();
    const before = d.running("a");
    d.finish("a", before[0] as string, overload);
    expect(d.lanes.hostLimit("a")).toBe(4);
    for (const id of before.slice(1)) d.finish("a", id, overload);
    expect(d.lanes.hostLimit("a")).toBe(4);
    // Started after the cut: its overload is news.
    d.queue("a", 4);
    d.startAll();
    d.finish("a", d.running("a")[0] as string, overload);
    expect(d.lanes.hostLimit("a")).toBe(2);
  });

  it("never goes under 1, and a round of one success at 1 grows it again", () => {
    const d = adaptive();
    // 8, 4, 2, 1: each cut waits for a delivery started after the previous one.
    d.finishPressed("a", 8 + 4 + 2 + 1, overload);
    expect(d.lanes.hostLimit("a")).toBe(1);
    d.finishPressed("a", 10, overload);
    expect(d.lanes.hostLimit("a")).toBe(1);
    d.finishPressed("a", 1, success(5));
    expect(d.lanes.hostLimit("a")).toBe(2);
  });

  it("ignores neutral outcomes: no growth, no cut", () => {
    const d = adaptive();
    d.finishPressed("a", 50, { kind: "neutral" });
    expect(d.lanes.hostLimit("a")).toBe(8);
  });

  it("cuts by a quarter when a round's latency clearly rises, not on a fast receiver's jitter", () => {
    const d = adaptive();
    d.finishPressed("a", 8, success(2));
    expect(d.lanes.hostLimit("a")).toBe(9);
    // From 2 ms to 40 ms is twenty times, but within the 50 ms slack.
    d.finishPressed("a", 9, success(40));
    expect(d.lanes.hostLimit("a")).toBe(10);
    // The baseline drifted from 2 ms by a tenth of the way to 40 (about 6 ms): 200 ms is a queue.
    d.finishPressed("a", 10, success(200));
    expect(d.lanes.hostLimit("a")).toBe(7);
  });

  it("does not take this process's own event-loop delay for the host's latency", () => {
    const d = adaptive();
    d.finishPressed("a", 8, success(2));
    // 200 ms answers, 195 ms of which the response waited for this (busy) process to read it.
    d.finishPressed("a", 9, lessOwnDelay(success(200), 195));
    expect(d.lanes.hostLimit("a")).toBe(10);
    d.finishPressed("a", 10, lessOwnDelay(success(200), 0));
    expect(d.lanes.hostLimit("a")).toBe(7);
    expect(lessOwnDelay(success(3), 10)).toEqual(success(0));
    expect(lessOwnDelay({ kind: "overload" }, 10)).toEqual({ kind: "overload" });
  });

  it("re-learns a receiver that became slower for good, and grows again", () => {
    const d = adaptive();
    d.finishPressed("a", 8, success(100));
    expect(d.lanes.hostLimit("a")).toBe(9);
    // From 100 ms to 400 ms for good: cuts while the baseline catches up, then growth resumes.
    d.finishPressed("a", 40, success(400));
    const low = d.lanes.hostLimit("a");
    expect(low).toBeLessThan(9);
    d.finishPressed("a", 400, success(400));
    expect(d.lanes.hostLimit("a")).toBeGreaterThan(low);
  });

  it("keeps hosts apart: one host's overload does not cut another's limit", () => {
    const d = adaptive();
    d.finishPressed("a", 8, success(5));
    d.finishPressed("b", 8 + 1, overload);
    expect([d.lanes.hostLimit("a"), d.lanes.hostLimit("b")]).toEqual([9, 2]);
  });

  it("remembers a host's limit after its lane empties", () => {
    const d = adaptive();
    d.finishPressed("a", 8, success(5));
    d.lanes.handBack();
    for (const id of d.running("a")) d.finish("a", id, { kind: "neutral" });
    expect(start(d.lanes)).toEqual([]);
    expect(d.lanes.hostLimit("a")).toBe(9);
  });

  it("claims follow the moving limit: full round, skipped hosts, and a new host's share", () => {
    const d = adaptive();
    d.queue("a", 8);
    d.startAll();
    expect(d.lanes.atFullRound("a")).toBe(true);
    // a is skipped; a new host may get at most three rounds of the initial limit.
    expect(d.lanes.beginClaim()).toEqual({ limit: 24, skipped: ["a"] });
    d.finish("a", d.running("a")[0] as string, overload);
    // a: 7 running at a limit of 4 is still full.
    expect(d.lanes.atFullRound("a")).toBe(true);
    expect(start(d.lanes)).toEqual([]);
    d.queue("b", 2);
    // b's share is 24, less the 2 it has.
    expect(d.lanes.beginClaim()).toEqual({ limit: 22, skipped: ["a"] });
  });

  it("a grown host's share is three rounds of its own limit", () => {
    const d = adaptive();
    d.finishPressed("a", 8 + 9, success(5));
    expect(d.lanes.hostLimit("a")).toBe(10);
    d.lanes.handBack();
    for (const id of d.running("a")) d.finish("a", id, { kind: "neutral" });
    d.queue("a", 9);
    // a's share: 3 x 10, less its 9; a new host's would be 3 x 8.
    expect(d.lanes.beginClaim()).toEqual({ limit: 21, skipped: [] });
    d.queue("b", 5);
    expect(d.lanes.beginClaim()).toEqual({ limit: 19, skipped: [] });
    d.queue("a", 1);
    expect(d.lanes.beginClaim()).toEqual({ limit: 19, skipped: ["a"] });
  });

  it("sizes a claim for a new host by the largest limit here, so one fast host claims in large pieces", () => {
    const d = adaptive();
    d.finishPressed("a", 8 + 9 + 10 + 11, success(5));
    expect(d.lanes.hostLimit("a")).toBe(12);
    d.lanes.handBack();
    for (const id of d.running("a")) d.finish("a", id, { kind: "neutral" });
    d.queue("a", 2);
    // a's share, 3 x 12 less its 2, binds; a new host's is taken as 3 x 12 too, not 3 x 8.
    expect(d.lanes.beginClaim()).toEqual({ limit: 34, skipped: [] });
    d.queue("a", 10);
    expect(d.lanes.beginClaim()).toEqual({ limit: 36, skipped: ["a"] });
  });

  it("wants a claim when a full host's raised limit takes it below a full round", () => {
    const d = adaptive();
    d.queue("a", 8);
    d.startAll();
    d.lanes.beginClaim();
    // Seven of eight finish: the eighth round success raises the limit to 9 with 1 left running.
    for (const id of d.running("a").slice(0, 7)) d.finish("a", id, success(5));
    expect(d.lanes.claimWanted).toBe(true);
    d.lanes.beginClaim();
    d.finish("a", d.running("a")[0] as string, success(5));
    expect(d.lanes.hostLimit("a")).toBe(9);
  });
});
