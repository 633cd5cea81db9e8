// When to try a failed delivery again, and when to stop. Pure: the random source and the clock are
// passed in, so the schedule, the jitter and the auto-disable rule are tested without waiting.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Delay before attempt n+1 after attempt n failed (index n-1). */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
];

/** The first attempt plus one per scheduled retry. */
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;

/** ±20%: spreads the retries of a burst that failed together so they don't return together. */
export const JITTER = 0.2;

/** A receiver's Retry-After is honoured up to a day; beyond that it is likely a bug, not a plan. */
export const RETRY_AFTER_MAX_MS = DAY;

/** A hook failing continuously for this long is disabled. */
export const AUTO_DISABLE_AFTER_MS = 5 * DAY;

export type RetryOptions = {
  /** Uniform in [0, 1]; defaults to Math.random. 0 gives -20%, 1 gives +20%. */
  random?: () => number;
  /** The receiver's Retry-After (see parseRetryAfter), if it sent one. */
  retryAfterMs?: number | null;
};

/**
 * The delay before the next attempt after `attemptsSoFar` attempts (the last one failed), or null
 * when the schedule is exhausted.
 *
 * Retry-After rule: the delay is max(scheduled with jitter, Retry-After capped at 24 h). A receiver
 * may slow us down but never speed us up: "Retry-After: 1" from an overloaded receiver must not turn
 * a 2 h back-off into hammering. It never extends an exhausted schedule either.
 */
export function nextAttemptDelayMs(attemptsSoFar: number, opts: RetryOptions = {}): number | null {
  // Fewer than one attempt cannot have failed; treat it as the first failure rather than throw.
  const index = Math.max(0, Math.floor(attemptsSoFar) - 1);
  const scheduled = RETRY_SCHEDULE_MS[index];
  if (scheduled === undefined) return null;
  const random = Math.min(1, Math.max(0, (opts.random ?? Math.random)()));
  const jittered = Math.round(scheduled * (1 + JITTER * (2 * random - 1)));
  const retryAfter = opts.retryAfterMs ?? null;
  if (retryAfter === null) return jittered;
  return Math.max(jittered, Math.min(retryAfter, RETRY_AFTER_MAX_MS));
}

/** True when no further attempt may be made: the hook's limit or the schedule's end is reached. */
export function shouldGiveUp(attemptsSoFar: number, maxAttempts: number): boolean {
  return attemptsSoFar >= Math.min(maxAttempts, MAX_ATTEMPTS);
}

export type ResponseClass = "success" | "gone" | "retry";

/**
 * 2xx is success; 410 Gone means the URL is retired and gets disabled; everything else is retried.
 * That includes 4xx: receivers are often misconfigured for a while (a rotated API key, a deploy
 * that broke a route) and fix it within the schedule, while a permanently dead URL is caught by
 * 410 or by the 5-day auto-disable. 3xx is retried too, since callbacks do not follow redirects.
 */
export function classifyResponse(status: number): ResponseClass {
  if (status >= 200 && status <= 299) return "success";
  if (status === 410) return "gone";
  return "retry";
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// The three HTTP-date forms of RFC 9110 §5.6.7; all are GMT. Parsed by hand because Date.parse
// accepts many non-HTTP strings and reads the asctime form in local time.
const IMF_FIXDATE = /^[A-Z][a-z]{2}, (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850_DATE = /^[A-Z][a-z]+, (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME_DATE = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

type DateParts = { day: string; month: string; year: string; h: string; m: string; s: string };

function dateParts(text: string): DateParts | null {
  const imf = IMF_FIXDATE.exec(text) ?? RFC850_DATE.exec(text);
  if (imf) {
    const [, day = "", month = "", year = "", h = "", m = "", s = ""] = imf;
    return { day, month, year, h, m, s };
  }
  const asc = ASCTIME_DATE.exec(text);
  if (asc) {
    const [, month = "", day = "", h = "", m = "", s = "", year = ""] = asc;
    return { day, month, year, h, m, s };
  }
  return null;
}

/** Milliseconds since the epoch of an HTTP-date, or null if it is not one. */
function parseHttpDate(text: string): number | null {
  const parts = dateParts(text);
  if (!parts) return null;
  const month = MONTHS.indexOf(parts.month);
  if (month < 0) return null;
  let year = Number(parts.year);
  // RFC 850 two-digit years: RFC 9110 says to read them as the nearest past century year; this
  // simpler rule is right for every date a live receiver could send.
  if (parts.year.length === 2) year += 2000;
  const ms = Date.UTC(year, month, Number(parts.day), Number(parts.h), Number(parts.m), Number(parts.s));
  return Number.isNaN(ms) ? null : ms;
}

/**
 * A Retry-After header as a delay in ms from `now`: delta-seconds or an HTTP-date. Missing,
 * negative, past or unparseable values give null (fall back to the schedule).
 */
export function parseRetryAfter(headerValue: string | null | undefined, now: Date): number | null {
  if (headerValue === null || headerValue === undefined) return null;
  const text = headerValue.trim();
  if (/^\d+$/.test(text)) return Number(text) * SECOND;
  const at = parseHttpDate(text);
  if (at === null) return null;
  const delay = at - now.getTime();
  return delay >= 0 ? delay : null;
}

/** True once a hook has been failing without a single success for 5 days. */
export function failingTooLong(failingSince: Date | null, now: Date): boolean {
  return failingSince !== null && now.getTime() - failingSince.getTime() >= AUTO_DISABLE_AFTER_MS;
}
