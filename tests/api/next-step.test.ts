// Protects the decision of what follows an attempt (dispatch/next-step.ts), without a database: the
// delivery's next step from its outcome, the hook's retry policy and its attempt count, and what the
// batch's attempts do to their hooks (failing streaks, the 5-day auto-disable, URLs retired by 410).
import { describe, expect, it } from "vitest";
import { type Hook, parseHookRow } from "../../api/src/db/hook";
import type { AttemptRecord } from "../../api/src/dispatch/attempt";
import type { Finished } from "../../api/src/dispatch/deliver";
import {
  type Attempted,
  deliveryUpdate,
  healthChanges,
  nextStep,
  streakStep,
} from "../../api/src/dispatch/next-step";
import type { ClaimedDelivery } from "../../api/src/queue";
import { hookRow } from "../support/hook-rows";

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date("2026-12-10T12:00:00.000Z");
const half = () => 0.5;

const record = (outcome: string, retryAfterMs: number | null = null): AttemptRecord => ({
  kind: "callback",
  outcome,
  startedAt: NOW,
  durationMs: 3,
  retryAfterMs,
});

function hook(id: string, failingSince: Date | null = null, maxAttempts = 8): Hook {
  return parseHookRow(
    hookRow({
      id,
      kind: "callback",
      events: ["order.paid"],
      retry: { maxAttempts },
      failing_since: failingSince,
      method: "POST",
      urls: ["https://a.example.com/"],
      disabled_urls: [],
      timeout_ms: 10_000,
      created_at: NOW,
      updated_at: NOW,
    }),
  );
}

function delivery(id: string, attempts: number, lastOutcome: string | null = null): ClaimedDelivery {
  return {
    id,
    workspace_id: "ws_1",
    event_id: "evt_1",
    hook_id: "hk_1",
    target: `https://a.example.com/${id}`,
    status: "pending",
    attempts,
    next_attempt_at: NOW,
    lease_owner: "wrk_1",
    last_outcome: lastOutcome,
    waiting: null,
    line_seq: null,
    line_admitted: false,
    rate_slot_at: null,
    created_at: NOW,
    updated_at: NOW,
    finished_at: null,
  };
}

const attempted = (d: ClaimedDelivery, h: Hook, outcome: string): Attempted => ({
  kind: "attempted",
  delivery: d,
  hook: h,
  eventType: "order.paid",
  record: record(outcome),
});

describe("nextStep", () => {
  it.each([
    ["a success", record("success"), 1, 8, null, { status: "succeeded", delayMs: 0 }],
    ["410 Gone, at once", record("gone"), 1, 8, null, { status: "failed", delayMs: 0 }],
    [
      "a first failure, after 5 s ± 20%",
      record("status_500"),
      1,
      8,
      null,
      { status: "pending", delayMs: 5000 },
    ],
    ["a second failure, after 5 min", record("timeout"), 2, 8, null, { status: "pending", delayMs: 300_000 }],
    [
      "a slower Retry-After",
      record("status_503", 60_000),
      1,
      8,
      null,
      { status: "pending", delayMs: 60_000 },
    ],
    ["the hook's last attempt", record("status_500"), 3, 3, null, { status: "failed", delayMs: 0 }],
    ["the schedule's last attempt", record("status_500"), 8, 20, null, { status: "failed", delayMs: 0 }],
    ["a first refusal by the guard", record("blocked"), 1, 8, null, { status: "pending", delayMs: 5000 }],
    ["a second refusal in a row", record("blocked"), 2, 8, "blocked", { status: "failed", delayMs: 0 }],
  ] as const)("decides %s", (_name, attempt, attemptsSoFar, maxAttempts, previous, expected) => {
    expect(nextStep(attempt, attemptsSoFar, maxAttempts, previous, half)).toEqual(expected);
  });

  it("spreads retries by the jitter: the random source picks within ±20%", () => {
    expect(nextStep(record("timeout"), 1, 8, null, () => 0).delayMs).toBe(4000);
    expect(nextStep(record("timeout"), 1, 8, null, () => 1).delayMs).toBe(6000);
  });
});

describe("deliveryUpdate", () => {
  it("counts the attempt and carries the outcome and the step", () => {
    const finished: Finished = attempted(delivery("dlv_1", 1), hook("hk_1"), "status_500");
    expect(deliveryUpdate(finished, half)).toEqual({
      id: "dlv_1",
      status: "pending",
      attempts: 2,
      outcome: "status_500",
      delayMs: 300_000,
      waiting: null,
    });
  });

  it("reads the previous outcome from the delivery: refused twice in a row fails", () => {
    const finished = attempted(delivery("dlv_1", 1, "blocked"), hook("hk_1"), "blocked");
    expect(deliveryUpdate(finished, half)).toMatchObject({ status: "failed", attempts: 2, delayMs: 0 });
  });

  it("keeps a canceled delivery's attempt count and records why", () => {
    const finished: Finished = { kind: "canceled", delivery: delivery("dlv_2", 3), reason: "hook_deleted" };
    expect(deliveryUpdate(finished)).toEqual({
      id: "dlv_2",
      status: "canceled",
      attempts: 3,
      outcome: "hook_deleted",
      delayMs: 0,
      waiting: null,
    });
  });

  it("keeps a waiting delivery's count and last outcome, due when its wait ends or when released", () => {
    const held = delivery("dlv_3", 2, "timeout");
    const until = new Date(NOW.getTime() + 1_500);
    const slot: Finished = { kind: "waiting", delivery: held, hook: hook("hk_1"), why: "rate_limit", until };
    expect(deliveryUpdate(slot, half, NOW)).toEqual({
      id: "dlv_3",
      status: "pending",
      attempts: 2,
      outcome: null,
      delayMs: 1_500,
      waiting: "rate_limit",
    });
    const parked: Finished = {
      kind: "waiting",
      delivery: held,
      hook: hook("hk_1"),
      why: "fifo",
      until: null,
    };
    expect(deliveryUpdate(parked, half, NOW)).toMatchObject({ delayMs: null, waiting: "fifo", attempts: 2 });
  });
});

describe("streakStep", () => {
  const since = (ms: number) => new Date(NOW.getTime() - ms);
  it.each([
    ["a success ends a streak", since(DAY), true, { kind: "clear" }],
    ["a success without a streak changes nothing", null, true, { kind: "keep" }],
    ["a failure starts a streak", null, false, { kind: "start" }],
    ["a failure within 5 days keeps it", since(5 * DAY - 1), false, { kind: "keep" }],
    [
      "a failure after 5 days disables the hook",
      since(5 * DAY),
      false,
      {
        kind: "disable",
        reason: `disabled automatically: failing continuously since ${since(5 * DAY).toISOString()}`,
      },
    ],
  ] as const)("%s", (_name, failingSince, success, expected) => {
    expect(streakStep(failingSince, success, NOW)).toEqual(expected);
  });
});

describe("healthChanges", () => {
  it("lets each hook's latest attempt decide its streak, and lists every URL that answered 410", () => {
    const steady = hook("hk_steady");
    const recovering = hook("hk_recovering", new Date(NOW.getTime() - DAY));
    const dying = hook("hk_dying", new Date(NOW.getTime() - 6 * DAY));
    const changes = healthChanges(
      [
        attempted(delivery("d1", 0), steady, "success"),
        attempted(delivery("d2", 0), recovering, "status_500"),
        attempted(delivery("d3", 0), recovering, "success"),
        attempted(delivery("d4", 0), dying, "gone"),
        attempted(delivery("d5", 0), steady, "gone"),
      ],
      NOW,
    );
    expect(changes.streaks.map((s) => [s.hook.id, s.step.kind])).toEqual([
      ["hk_steady", "start"],
      ["hk_recovering", "clear"],
      ["hk_dying", "disable"],
    ]);
    // Each names the attempt that decided it (operational events report its delivery).
    expect(changes.streaks.map((s) => s.by.delivery.id)).toEqual(["d5", "d3", "d4"]);
    const by = (id: string) => expect.objectContaining({ delivery: expect.objectContaining({ id }) });
    expect(changes.goneUrls).toEqual([
      {
        hook: dying,
        url: "https://a.example.com/d4",
        reason: "the receiver answered 410 Gone",
        by: by("d4"),
      },
      {
        hook: steady,
        url: "https://a.example.com/d5",
        reason: "the receiver answered 410 Gone",
        by: by("d5"),
      },
    ]);
  });

  it("lists a URL once however many of the batch's deliveries to it answered 410", () => {
    const h = hook("hk_1");
    const to = (id: string, url: string) => ({ ...delivery(id, 0), target: url });
    const changes = healthChanges(
      [
        attempted(to("d1", "https://a.example.com/gone"), h, "gone"),
        attempted(to("d2", "https://a.example.com/gone"), h, "gone"),
        attempted(to("d3", "https://a.example.com/other"), h, "gone"),
      ],
      NOW,
    );
    expect(changes.goneUrls.map((g) => g.url)).toEqual([
      "https://a.example.com/gone",
      "https://a.example.com/other",
    ]);
  });

  it("changes nothing for a batch of successes by healthy hooks", () => {
    const changes = healthChanges([attempted(delivery("d1", 0), hook("hk_1"), "success")], NOW);
    expect(changes).toEqual({ streaks: [], goneUrls: [] });
  });
});
