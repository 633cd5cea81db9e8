// The circuit breaker's rule, without I/O: which attempts are failures of a URL, how a batch's
// attempts to one URL add up, and what they do to its state (closed, open, half-open). breaker.ts
// reads and writes the state; this file decides.
import type { CircuitState } from "../db/schema";
import type { AttemptRecord } from "./attempt";

/** The longest cool-down between probes: doubling stops here. */
export const MAX_COOLDOWN_MS = 30 * 60_000;
/** The first cool-down after a URL opens (WorkerOptions.breakerCooldownMs overrides it). */
export const DEFAULT_COOLDOWN_MS = 30_000;

/** Statuses that say the receiver is not coping, like a 5xx: they count as failures. */
const FAILING_STATUSES = new Set([408, 429]);

/**
 * What an attempt says about its URL: a network error, a timeout, a 5xx, 408 or 429 is a failure;
 * any other answer (2xx, 410, another 4xx, a redirect) shows the URL alive and ends the streak; the
 * egress guard's refusal ("blocked") says nothing about the receiver, nor does a function's run.
 */
export type BreakerSignal = "failure" | "alive" | "none";

export function breakerSignal(record: AttemptRecord): BreakerSignal {
  if (record.kind !== "callback") return "none";
  switch (record.outcome) {
    case "timeout":
    case "network_error":
      return "failure";
    case "blocked":
      return "none";
    case "http_error": {
      const status = responseStatus(record);
      return status !== null && (status >= 500 || FAILING_STATUSES.has(status)) ? "failure" : "alive";
    }
    default:
      // success, gone
      return "alive";
  }
}

function responseStatus(record: AttemptRecord): number | null {
  const response = record.response as { status?: unknown } | null | undefined;
  return typeof response?.status === "number" ? response.status : null;
}

/** A batch's attempts to one URL, in order: whether one was alive, and the failures after the last that was. */
export interface LineTally {
  alive: boolean;
  failures: number;
}

export function tallyLine(signals: BreakerSignal[]): LineTally {
  const tally: LineTally = { alive: false, failures: 0 };
  for (const signal of signals) {
    if (signal === "alive") {
      tally.alive = true;
      tally.failures = 0;
    } else if (signal === "failure") tally.failures++;
  }
  return tally;
}

/** What the rule reads of a URL's stored state. */
export interface CircuitNow {
  state: CircuitState;
  failures: number;
  cooldownMs: number;
}

/** Opened: closed to open. Recovered: open or half-open to closed. (A failed probe reopens: neither.) */
export type TransitionKind = "opened" | "recovered";

export interface CircuitStep {
  state: CircuitState;
  failures: number;
  cooldownMs: number;
  /** The state began now: `since` is stamped (and, open, the next probe is due after the cool-down). */
  began: boolean;
  transitions: TransitionKind[];
}

/**
 * The state after a batch's attempts to the URL. An alive answer closes it (resetting the streak and
 * the cool-down); failures add to the streak, and reaching `threshold` opens a closed URL with the
 * base cool-down. A failure while half-open (the probe, or an attempt that was in flight) opens it
 * again with the cool-down doubled, up to MAX_COOLDOWN_MS; failures while open only count.
 */
export function stepCircuit(
  current: CircuitNow,
  tally: LineTally,
  threshold: number,
  baseCooldownMs: number,
): CircuitStep {
  let { state, failures, cooldownMs } = current;
  let began = false;
  const transitions: TransitionKind[] = [];
  if (tally.alive) {
    if (state !== "closed") {
      state = "closed";
      cooldownMs = baseCooldownMs;
      began = true;
      transitions.push("recovered");
    }
    failures = 0;
  }
  failures += tally.failures;
  if (tally.failures > 0) {
    if (state === "closed" && failures >= threshold) {
      state = "open";
      cooldownMs = baseCooldownMs;
      began = true;
      transitions.push("opened");
    } else if (state === "half_open") {
      state = "open";
      cooldownMs = Math.min(cooldownMs * 2, MAX_COOLDOWN_MS);
      began = true;
    }
  }
  return { state, failures, cooldownMs, began, transitions };
}
