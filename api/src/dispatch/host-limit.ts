// How many deliveries one destination host may have in flight from this worker, learned from how
// its deliveries end (AIMD, as TCP does with its window): one more per round of successes while
// the host was kept busy and its latency held, halved on overload (429, 503, a timeout, a refused
// or broken connection), cut by a quarter when latency clearly rises. Never under 1, never over
// the ceiling (HOOKRUN_HOST_CONCURRENCY). Pure bookkeeping: durations are given, no clock is read.

/**
 * The default ceiling (HOOKRUN_HOST_CONCURRENCY): what a receiver needs for ~2,000 deliveries/s
 * from one worker process at 30 ms a round trip (Little: 2,000/s x 30 ms = 60). No higher: the
 * egress pool keeps at most 64 idle keep-alive sockets per host (runtime/src/egress.ts), and more
 * in flight than that closes and reopens connections as the load swings (measured: 531 TCP
 * connections in a 60 s run at a ceiling of 128, and fewer deliveries). A receiver that needs
 * more from one worker process is rare; more worker processes serve it.
 */
export const DEFAULT_HOST_CEILING = 64;
/** Where a host's limit starts: low, so an unknown receiver is not hit with the ceiling at once. */
export const INITIAL_HOST_LIMIT = 8;
/** The cut on overload: the host said so itself (429, 503) or stopped answering in time. */
export const OVERLOAD_BACKOFF = 0.5;
/** The cut when latency clearly rises: a queue is building at the host, it has not refused yet. */
export const LATENCY_BACKOFF = 0.75;
/**
 * Latency "clearly rises" when a round's mean exceeds LATENCY_RISE times the baseline plus
 * LATENCY_SLACK_MS: the slack keeps a fast receiver's jitter (and what lessOwnDelay leaves of
 * this process's own delays) from passing for a queue at the host.
 */
export const LATENCY_RISE = 2;
export const LATENCY_SLACK_MS = 50;
/**
 * The baseline is the lowest round mean seen, and moves this share of the way to each round's
 * mean above it: a receiver that became slower for good is re-learned within tens of rounds.
 */
export const BASELINE_DRIFT = 0.1;

/** What one finished delivery says about its host's capacity. */
export type Feedback =
  /** A 2xx (a function that returned), and how long it took. */
  | { kind: "success"; durationMs: number }
  /** 429, 503, a timeout or a connection failure: the host has too much. */
  | { kind: "overload" }
  /** Anything else (a 4xx, a function's own error, a canceled delivery): says nothing. */
  | { kind: "neutral" };

export const NEUTRAL: Feedback = { kind: "neutral" };

/**
 * A success's duration less this process's own event-loop delay (`lagMs`, as the worker measures
 * it): a response waits that long for a busy, or CPU-starved, process to read it, and that wait is
 * not the host's. Without this, a worker short of CPU took its own lateness for a queue at the
 * host and cut the limit, which cut throughput (limit / latency) for no gain.
 */
export function lessOwnDelay(feedback: Feedback, lagMs: number): Feedback {
  if (feedback.kind !== "success") return feedback;
  return { kind: "success", durationMs: Math.max(0, feedback.durationMs - lagMs) };
}

export class HostLimit {
  private limit: number;
  /**
   * Counts the cuts. A delivery started before the latest cut ran at the old limit: what it says
   * was already acted on (one cut per window, as TCP), so its feedback is ignored.
   */
  private cuts = 0;
  /** Round-trip statistics of the current round: `limit` successes started since the last cut. */
  private successes = 0;
  private totalMs = 0;
  /** Whether, during this round, the host had as many deliveries as its limit allowed. */
  private pressed = false;
  private baselineMs: number | null = null;

  constructor(
    private readonly ceiling: number,
    initial = INITIAL_HOST_LIMIT,
  ) {
    this.limit = Math.max(1, Math.min(initial, ceiling));
  }

  /** Deliveries the host may have in flight now. */
  get current(): number {
    return this.limit;
  }

  /** The window a delivery starting now belongs to: give it back with its feedback. */
  get window(): number {
    return this.cuts;
  }

  /**
   * A delivery started in `window` ended with `feedback`; `pressed`: the host had as many
   * deliveries running and waiting as its limit (a host that never uses its limit earns no raise).
   */
  record(feedback: Feedback, window: number, pressed: boolean): void {
    if (window !== this.cuts || feedback.kind === "neutral") return;
    if (feedback.kind === "overload") {
      this.cut(OVERLOAD_BACKOFF);
      return;
    }
    this.successes++;
    this.totalMs += feedback.durationMs;
    this.pressed ||= pressed;
    if (this.successes >= this.limit) this.endRound();
  }

  /** A round of `limit` successes: cut if latency clearly rose, else one more if the host was kept busy. */
  private endRound(): void {
    const meanMs = this.totalMs / this.successes;
    const baseline = this.baselineMs ?? meanMs;
    const rising = meanMs > baseline * LATENCY_RISE + LATENCY_SLACK_MS;
    this.baselineMs = meanMs < baseline ? meanMs : baseline + (meanMs - baseline) * BASELINE_DRIFT;
    if (rising) this.cut(LATENCY_BACKOFF);
    else {
      if (this.pressed) this.limit = Math.min(this.ceiling, this.limit + 1);
      this.newRound();
    }
  }

  private cut(factor: number): void {
    this.limit = Math.max(1, Math.floor(this.limit * factor));
    this.cuts++;
    this.newRound();
  }

  private newRound(): void {
    this.successes = 0;
    this.totalMs = 0;
    this.pressed = false;
  }
}
