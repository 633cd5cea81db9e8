// Matching an event against a hook's filter. A filter is compiled once (per cached catalog at ingest)
// into a closure: paths split, operands and sets prepared, so matching an event walks only the
// event's values. Semantics (README "Filters"): no coercion between types; a path that is not there
// matches nothing but `$exists: false`.
import {
  type COMPARISONS,
  type FilterDoc,
  filterProblems,
  isOperatorObject,
  isPlainObject,
} from "./filter-rules";

/** The parts of the envelope a filter sees, as the receiver gets them (`context` is null when absent). */
export interface FilterEnvelope {
  type?: string | undefined;
  data?: unknown;
  context?: unknown;
}

export type Matcher = (event: FilterEnvelope) => boolean;

const MISSING = Symbol("missing");
type Value = unknown;
type Test = (value: Value) => boolean;

/**
 * The filter as a function. A filter that fails its check (stored filters were checked when saved)
 * matches nothing, so a bad one can only hold events back, never send them where they were not wanted.
 */
export function compileFilter(filter: FilterDoc): Matcher {
  if (filterProblems(filter).length > 0) return () => false;
  return compileNode(filter);
}

function compileNode(node: FilterDoc): Matcher {
  const parts = Object.entries(node).map(([key, value]): Matcher => {
    if (key === "$and" || key === "$or") {
      const members = (value as FilterDoc[]).map(compileNode);
      return key === "$and" ? (e) => members.every((m) => m(e)) : (e) => members.some((m) => m(e));
    }
    const read = compilePath(key);
    const test = compileCondition(value);
    return (e) => test(read(e));
  });
  if (parts.length === 1) return parts[0]!;
  return (e) => parts.every((part) => part(e));
}

const INDEX = /^(0|[1-9][0-9]*)$/;

/** A path's reader: a number indexes an array, a name reads an object's own field. */
function compilePath(path: string): (event: FilterEnvelope) => Value {
  const [root, ...rest] = path.split(".") as [keyof FilterEnvelope, ...string[]];
  return (event) => {
    if (!Object.hasOwn(event, root) || event[root] === undefined) return MISSING;
    let value: Value = event[root];
    for (const segment of rest) {
      if (Array.isArray(value)) {
        if (!INDEX.test(segment) || Number(segment) >= value.length) return MISSING;
        value = value[Number(segment)];
      } else if (isPlainObject(value) && Object.hasOwn(value, segment)) {
        value = value[segment];
      } else return MISSING;
    }
    return value;
  };
}

function compileCondition(condition: unknown): Test {
  if (!isOperatorObject(condition)) return present(equalTo(condition));
  const tests = Object.entries(condition).map(([op, operand]) => compileOperator(op, operand));
  return tests.length === 1 ? tests[0]! : (value) => tests.every((test) => test(value));
}

/** Every operator but `$exists` fails on a missing path. */
const present =
  (test: Test): Test =>
  (value) =>
    value !== MISSING && test(value);

function compileOperator(op: string, operand: unknown): Test {
  if (op === "$exists") return (value) => (value !== MISSING) === operand;
  return present(operatorTest(op, operand));
}

function operatorTest(op: string, operand: unknown): Test {
  switch (op) {
    case "$eq":
      return equalTo(operand);
    case "$neq": {
      const equal = equalTo(operand);
      return (value) => !equal(value);
    }
    case "$in":
      return memberOf(operand as unknown[]);
    case "$nin": {
      const member = memberOf(operand as unknown[]);
      return (value) => !member(value);
    }
    case "$contains":
      return (value) =>
        typeof value === "string"
          ? typeof operand === "string" && value.includes(operand)
          : Array.isArray(value) && value.some((item) => deepEqual(item, operand));
    default:
      return compare(op as (typeof COMPARISONS)[number], operand as number | string);
  }
}

/** $gt and friends: both sides numbers, or both strings (compared by UTF-16 code units). */
function compare(op: (typeof COMPARISONS)[number], operand: number | string): Test {
  const sameType = (value: Value): value is typeof operand => typeof value === typeof operand;
  switch (op) {
    case "$gt":
      return (value) => sameType(value) && value > operand;
    case "$gte":
      return (value) => sameType(value) && value >= operand;
    case "$lt":
      return (value) => sameType(value) && value < operand;
    case "$lte":
      return (value) => sameType(value) && value <= operand;
    default: {
      const unknown: never = op;
      throw new Error(`not a comparison: ${String(unknown)}`);
    }
  }
}

function equalTo(operand: unknown): Test {
  if (typeof operand !== "object" || operand === null) return (value) => value === operand;
  return (value) => deepEqual(value, operand);
}

/** Primitives are looked up in a set; objects and arrays compared one by one. */
function memberOf(items: unknown[]): Test {
  const primitives = new Set(items.filter((item) => typeof item !== "object" || item === null));
  const composites = items.filter((item) => typeof item === "object" && item !== null);
  return (value) =>
    typeof value !== "object" || value === null
      ? primitives.has(value)
      : composites.some((item) => deepEqual(value, item));
}

/** JSON equality: arrays in order, objects by their fields in any order. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  const bObject = b as FilterDoc;
  return aKeys.every((key) => Object.hasOwn(bObject, key) && deepEqual((a as FilterDoc)[key], bObject[key]));
}
