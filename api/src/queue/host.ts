// A delivery's host (its host key): what the worker's per-host limit counts, what a wake-up names
// and what a claim may skip. Functions are one host, "function". A callback target is stored
// canonical (see CallbackUrl: lower-case scheme and host, default port dropped, a path of at least
// "/"), so its host is the text between "://" and the next "/": for a URL without credentials (the
// only kind a hook may hold) exactly `new URL(target).host`.
//
// The claim skips busy hosts inside SQL: hookrun_claim_due (migration 20261123010000_claim_function)
// skips every target that starts with one of claimPrefixes(host). That function and targetHost must
// agree; tests/api/queue.test.ts checks that they do. Migrations are history: if the rule
// changes, change both here and in a new migration.

/** A function hook's deliveries' target (and host): it has no URL. */
export const FUNCTION_TARGET = "function";

/** The host of a delivery target. */
export function targetHost(target: string): string {
  if (target === FUNCTION_TARGET) return FUNCTION_TARGET;
  const scheme = target.indexOf("://");
  if (scheme < 0) return target;
  const start = scheme + 3;
  const end = target.indexOf("/", start);
  return end < 0 ? target.slice(start) : target.slice(start, end);
}

/** The target prefixes hookrun_claim_due skips for a busy host (http and https are one host). */
export function claimPrefixes(host: string): string[] {
  return host === FUNCTION_TARGET ? [FUNCTION_TARGET] : [`http://${host}/`, `https://${host}/`];
}
