// Takes a hook's secret values out of what an attempt records: a function's console lines, error and
// result, a callback's response and error. Whatever the code or the receiver echoes, the execution
// log (read by operators, who never see secrets) shows `[redacted]` in its place. Pure: no I/O.

export const REDACTED = "[redacted]";

/**
 * Values shorter than this are not redacted: one to three characters would match all over the
 * record (every "a", every "42") and wreck it while hiding nothing worth hiding.
 */
export const MIN_REDACTED_LENGTH = 4;

export interface Redactor {
  /** The text with every occurrence of a secret value replaced by `[redacted]`. */
  text(value: string): string;
  /** A copy of a JSON value with its strings and object keys redacted; other values stay as they are. */
  json(value: unknown): unknown;
}

const identity: Redactor = { text: (value) => value, json: (value) => value };

const escapeRegExp = (value: string) => value.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");

/**
 * A redactor for these secret values (empty and short ones ignored). Each value is also matched as
 * it reads inside a JSON string (`console.log(ctx.secrets)` prints JSON), in case it holds quotes,
 * backslashes or control characters. Longer patterns come first, so a value containing another is
 * replaced whole. The regex is built once, here: build one redactor per attempt.
 */
export function secretRedactor(values: Iterable<string>): Redactor {
  const patterns = new Set<string>();
  for (const value of values) {
    if (typeof value !== "string" || value.length < MIN_REDACTED_LENGTH) continue;
    patterns.add(value);
    patterns.add(JSON.stringify(value).slice(1, -1));
  }
  if (patterns.size === 0) return identity;
  const sorted = [...patterns].sort((a, b) => b.length - a.length);
  const regex = new RegExp(sorted.map(escapeRegExp).join("|"), "g");
  const text = (value: string) => value.replace(regex, REDACTED);
  return { text, json: (value) => redactJson(value, text) };
}

type Container = unknown[] | Record<string, unknown>;

/**
 * Walks the value with an explicit stack, not recursion: a result nested thousands deep (well within
 * the 64 KB cap) cannot overflow the call stack, and every node is visited once.
 */
function redactJson(root: unknown, text: (value: string) => string): unknown {
  const pending: { source: Container; target: Container }[] = [];
  const copy = (value: unknown): unknown => {
    if (typeof value === "string") return text(value);
    if (typeof value !== "object" || value === null) return value;
    const target: Container = Array.isArray(value) ? [] : {};
    pending.push({ source: value as Container, target });
    return target;
  };
  const result = copy(root);
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { source, target } = next;
    if (Array.isArray(source)) {
      for (const item of source) (target as unknown[]).push(copy(item));
      continue;
    }
    for (const [key, item] of Object.entries(source)) {
      // defineProperty, not assignment: a "__proto__" key stays an ordinary key, as JSON.parse made it.
      Object.defineProperty(target, text(key), {
        value: copy(item),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return result;
}
