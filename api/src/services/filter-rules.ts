// What a hook's filter may say: its operators, the envelope roots a path may start at, and the bounds
// that keep matching cheap at ingest. A filter is checked here once, when it is saved (or tested);
// every problem is reported with the path of the bad part, e.g. `filter.$or.1.data.amount.$gt`.
import { type FailureDetail, failure, type Result, success } from "./result";

/** A filter as stored: dotted paths (or `$and` / `$or`) to conditions. */
export type FilterDoc = { [key: string]: unknown };

export const FILTER_BOUNDS = {
  /** The filter as JSON, in bytes. */
  bytes: 16 * 1024,
  /** `$and` / `$or` inside `$and` / `$or`: levels below the top. */
  depth: 4,
  /** Path conditions and operators, counted over the whole filter. */
  conditions: 64,
  /** Items of one `$and`, `$or`, `$in` or `$nin`. */
  items: 100,
  pathChars: 200,
  pathSegments: 16,
} as const;

/**
 * The envelope fields a path may start at. `id` and `timestamp` are given by hookrun at ingest and
 * `workspace` is the hook's own, so a condition on them would say nothing about the event.
 */
export const FILTER_ROOTS: ReadonlySet<string> = new Set(["type", "data", "context"]);

export const COMPARISONS = ["$gt", "$gte", "$lt", "$lte"] as const;
export const OPERATORS: ReadonlySet<string> = new Set([
  "$eq",
  "$neq",
  ...COMPARISONS,
  "$in",
  "$nin",
  "$exists",
  "$contains",
]);

export const isPlainObject = (value: unknown): value is FilterDoc =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A condition is an operator object when it is an object whose keys start with `$`; else a literal. */
export const isOperatorObject = (value: unknown): value is FilterDoc =>
  isPlainObject(value) && Object.keys(value).some((key) => key.startsWith("$"));

const MAX_PROBLEMS = 20;

/** A filter about to be saved or tested (null: none): fine, or a 422 naming each bad part. */
export function checkFilter(filter: FilterDoc | null | undefined): Result<null> {
  if (filter === null || filter === undefined) return success(null);
  const problems = filterProblems(filter);
  return problems.length === 0 ? success(null) : failure("invalid", "the filter is not valid", problems);
}

/** Every problem of a filter (at most 20), each with its path under `at`; none when it is valid. */
export function filterProblems(filter: unknown, at = "filter"): FailureDetail[] {
  const bytes = Buffer.byteLength(JSON.stringify(filter) ?? "");
  if (bytes > FILTER_BOUNDS.bytes)
    return [{ path: at, message: `is ${bytes} bytes as JSON; at most ${FILTER_BOUNDS.bytes}` }];
  const check = new FilterCheck();
  check.filter(filter, at, 0);
  if (check.conditions > FILTER_BOUNDS.conditions)
    check.problems.unshift({
      path: at,
      message: `holds ${check.conditions} conditions and operators; at most ${FILTER_BOUNDS.conditions}`,
    });
  return check.problems.slice(0, MAX_PROBLEMS);
}

class FilterCheck {
  readonly problems: FailureDetail[] = [];
  conditions = 0;

  filter(node: unknown, at: string, depth: number): void {
    if (!isPlainObject(node)) {
      this.problem(at, "must be an object of conditions");
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      const here = `${at}.${key}`;
      if (key === "$and" || key === "$or") this.group(value, here, depth);
      else if (key.startsWith("$"))
        this.problem(here, "is not allowed here: use $and or $or, or a path such as data.amount");
      else {
        const pathProblem = checkPath(key);
        if (pathProblem) this.problem(here, pathProblem);
        else this.condition(value, here);
      }
    }
  }

  private group(value: unknown, at: string, depth: number): void {
    if (depth >= FILTER_BOUNDS.depth)
      this.problem(at, `nests $and / $or more than ${FILTER_BOUNDS.depth} levels deep`);
    else if (!Array.isArray(value) || value.length === 0 || value.length > FILTER_BOUNDS.items)
      this.problem(at, `must be an array of 1 to ${FILTER_BOUNDS.items} filters`);
    else
      value.forEach((item, i) => {
        this.filter(item, `${at}.${i}`, depth + 1);
      });
  }

  private condition(value: unknown, at: string): void {
    this.conditions++;
    if (!isOperatorObject(value)) return; // a literal: any JSON value, compared for deep equality
    const keys = Object.keys(value);
    if (keys.some((key) => !key.startsWith("$"))) {
      this.problem(at, "mixes operators and fields: compare with an object under $eq instead");
      return;
    }
    for (const op of keys) {
      this.conditions++;
      const problem = operandProblem(op, value[op]);
      if (problem) this.problem(`${at}.${op}`, problem);
    }
  }

  private problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }
}

function checkPath(path: string): string | null {
  if (path.length > FILTER_BOUNDS.pathChars)
    return `is a path of ${path.length} characters; at most ${FILTER_BOUNDS.pathChars}`;
  const segments = path.split(".");
  if (segments.some((s) => s === "")) return "must be a dotted path with no empty part, e.g. data.amount";
  if (segments.length > FILTER_BOUNDS.pathSegments)
    return `is a path of ${segments.length} parts; at most ${FILTER_BOUNDS.pathSegments}`;
  const root = segments[0] ?? "";
  if (!FILTER_ROOTS.has(root)) return "must start at type, data or context";
  if (root === "type" && segments.length > 1) return "type is a string: it has no fields";
  return null;
}

function operandProblem(op: string, operand: unknown): string | null {
  switch (op) {
    case "$eq":
    case "$neq":
    case "$contains":
      return null;
    case "$gt":
    case "$gte":
    case "$lt":
    case "$lte":
      return typeof operand === "number" || typeof operand === "string"
        ? null
        : "must be a number or a string";
    case "$in":
    case "$nin":
      return Array.isArray(operand) && operand.length >= 1 && operand.length <= FILTER_BOUNDS.items
        ? null
        : `must be an array of 1 to ${FILTER_BOUNDS.items} values`;
    case "$exists":
      return typeof operand === "boolean" ? null : "must be true or false";
    default:
      return `is not an operator; use one of ${[...OPERATORS].join(", ")}`;
  }
}
