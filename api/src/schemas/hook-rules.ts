// The rules for event type names, subscriptions and a hook's parts that the service enforces and the editor checks as the user types.
// This module imports nothing, so the browser bundle can use it without zod or node code.

/** An event type's name: dot-separated words of letters, digits, `_` and `-`. */
export const EVENT_TYPE_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** A subscription: an event type name, `prefix.*`, or `*`. */
export const EVENT_PATTERN = /^(\*|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(\.\*)?)$/;

/** A subscription ending in `*` covers event types by prefix. */
export const isPattern = (subscription: string) => subscription.endsWith("*");

/**
 * hookrun's own (operational) event types live under this prefix: users cannot create, change,
 * delete or post them. Compared without case, so no user type can pass for one.
 */
export const OPERATIONAL_PREFIX = "hookrun.";

/** Is the name hookrun's own, or reserved for it (`hookrun` itself and anything under `hookrun.`)? */
export const isReservedEventType = (name: string) => {
  const lower = name.toLowerCase();
  return lower === "hookrun" || lower.startsWith(OPERATIONAL_PREFIX);
};

/**
 * Does one subscription cover an event type? "a.*" covers "a.b" and "a.b.c", not "a" itself. "*"
 * covers the workspace's own types only: hookrun's operational events are asked for by name or by
 * a `hookrun.` pattern, so a hook written for the workspace's events never receives them unasked.
 */
export function covers(subscription: string, eventType: string): boolean {
  if (subscription === "*") return !isReservedEventType(eventType);
  if (isPattern(subscription)) return eventType.startsWith(subscription.slice(0, -1));
  return subscription === eventType;
}

/** A header name: RFC 9110 token characters. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Headers hookrun sets itself, or that would break or smuggle the request: the egress client's
 * UNSENDABLE_HEADERS (a test keeps them included) and the signing headers.
 */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  "host",
  "content-length",
  "content-type",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "http2-settings",
  "proxy-authorization",
  "proxy-connection",
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
]);

/** A function secret's name: what `ctx.secrets.NAME` can read. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
