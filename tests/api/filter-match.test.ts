// Protects what a hook's filter means (README "Filters"): every operator, deep equality, paths into
// objects and arrays, missing paths (nothing but `$exists: false` matches them), no coercion between
// types, and the bounds checked at save, each problem named by its path. And how ingest applies it
// to a catalog's targets: compiled once per hook per catalog, judged once per hook per event.
import { describe, expect, it } from "vitest";
import { parseHookRow } from "../../api/src/db/hook";
import { applyFilters, Catalog, targetsOf } from "../../api/src/services/catalog";
import { compileFilter, type FilterEnvelope } from "../../api/src/services/filter-match";
import { FILTER_BOUNDS, type FilterDoc, filterProblems } from "../../api/src/services/filter-rules";
import { hookRow } from "../support/hook-rows";

const event: FilterEnvelope = {
  type: "order.created",
  data: {
    amount: 120,
    currency: "EUR",
    code: "10",
    note: null,
    paid: true,
    tags: ["vip", "eu"],
    items: [
      { sku: "A-1", qty: 2 },
      { sku: "B-7", qty: 1 },
    ],
    customer: { id: "c_1", address: { country: "DE" } },
    "0": "zero",
  },
  context: { source: "web" },
};

const matches = (filter: FilterDoc, e: FilterEnvelope = event) => compileFilter(filter)(e);

describe("filter matching", () => {
  it.each<[string, FilterDoc, boolean]>([
    ["a literal equals", { type: "order.created" }, true],
    ["a literal differs", { type: "order.paid" }, false],
    ["a nested path", { "data.customer.address.country": "DE" }, true],
    ["an array index", { "data.items.1.sku": "B-7" }, true],
    ["an index past the end is missing", { "data.items.2.sku": { $exists: false } }, true],
    ["a name on an array is missing", { "data.items.sku": { $exists: false } }, true],
    ["a digit names an object's field", { "data.0": "zero" }, true],
    ["a leading zero is not an index", { "data.items.01": { $exists: true } }, false],
    [
      "an object literal is deep equality",
      { "data.customer": { id: "c_1", address: { country: "DE" } } },
      true,
    ],
    ["deep equality ignores field order", { "data.items.0": { qty: 2, sku: "A-1" } }, true],
    ["deep equality needs every field", { "data.items.0": { sku: "A-1" } }, false],
    ["an array literal is ordered", { "data.tags": ["eu", "vip"] }, false],
    ["an array literal equal", { "data.tags": ["vip", "eu"] }, true],
    ["null equals null", { "data.note": null }, true],
    ["$eq", { "data.amount": { $eq: 120 } }, true],
    ["$eq null", { "data.note": { $eq: null } }, true],
    ["$neq", { "data.currency": { $neq: "USD" } }, true],
    ["$neq equal", { "data.currency": { $neq: "EUR" } }, false],
    ["$gt", { "data.amount": { $gt: 100 } }, true],
    ["$gt equal", { "data.amount": { $gt: 120 } }, false],
    ["$gte", { "data.amount": { $gte: 120 } }, true],
    ["$lt", { "data.amount": { $lt: 120 } }, false],
    ["$lte", { "data.amount": { $lte: 120 } }, true],
    ["a range: every operator must hold", { "data.amount": { $gte: 100, $lt: 200 } }, true],
    ["a range missed", { "data.amount": { $gte: 100, $lt: 110 } }, false],
    ["strings compare by code units", { "data.currency": { $gt: "EUA", $lt: "EUS" } }, true],
    ["no coercion: a number string against a number", { "data.code": { $gt: 5 } }, false],
    ["no coercion: a number against a string", { "data.amount": { $gt: "100" } }, false],
    ["no coercion in equality", { "data.code": 10 }, false],
    ["a boolean is not a number", { "data.paid": { $gte: 0 } }, false],
    ["$in", { "data.currency": { $in: ["USD", "EUR"] } }, true],
    ["$in none", { "data.currency": { $in: ["USD", "GBP"] } }, false],
    ["$in deep-equal objects", { "data.customer.address": { $in: [{ country: "DE" }] } }, true],
    ["$in compares an array value as a whole", { "data.tags": { $in: ["vip"] } }, false],
    ["$in with the whole array", { "data.tags": { $in: [["vip", "eu"]] } }, true],
    ["$in no coercion", { "data.code": { $in: [10] } }, false],
    ["$nin", { "data.currency": { $nin: ["USD"] } }, true],
    ["$nin listed", { "data.currency": { $nin: ["EUR"] } }, false],
    ["$exists true", { "data.note": { $exists: true } }, true],
    ["$exists: null is present", { "data.note": { $exists: false } }, false],
    ["$contains a substring", { "data.customer.id": { $contains: "_1" } }, true],
    ["$contains is case-sensitive", { "data.currency": { $contains: "eu" } }, false],
    ["$contains an element", { "data.tags": { $contains: "vip" } }, true],
    ["$contains no substring of elements", { "data.tags": { $contains: "vi" } }, false],
    ["$contains a deep-equal element", { "data.items": { $contains: { sku: "B-7", qty: 1 } } }, true],
    ["$contains on a number", { "data.amount": { $contains: "12" } }, false],
    ["$contains a number in a string", { "data.code": { $contains: 1 } }, false],
    ["all keys must hold", { type: "order.created", "data.amount": { $lt: 100 } }, false],
    ["$and", { $and: [{ "data.amount": { $gt: 100 } }, { "context.source": "web" }] }, true],
    ["$and one fails", { $and: [{ "data.amount": { $gt: 100 } }, { "context.source": "api" }] }, false],
    ["$or", { $or: [{ "context.source": "api" }, { "data.tags": { $contains: "eu" } }] }, true],
    ["$or none", { $or: [{ "context.source": "api" }, { "data.paid": false }] }, false],
    ["nested groups", { $or: [{ $and: [{ "data.paid": true }, { type: "order.created" }] }] }, true],
    ["an empty filter matches everything", {}, true],
    ["the whole data", { data: { $exists: true } }, true],
  ])("%s", (_name, filter, expected) => {
    expect(filterProblems(filter)).toEqual([]);
    expect(matches(filter)).toBe(expected);
  });

  describe("a missing path matches nothing but $exists: false", () => {
    const missing = "data.nothing.here";
    it.each<[string, unknown, boolean]>([
      ["a literal", "x", false],
      ["null", null, false],
      ["$eq", { $eq: null }, false],
      ["$neq", { $neq: "x" }, false],
      ["$nin", { $nin: ["x"] }, false],
      ["$gt", { $gt: 0 }, false],
      ["$lte", { $lte: "z" }, false],
      ["$in", { $in: [null] }, false],
      ["$contains", { $contains: "" }, false],
      ["$exists: true", { $exists: true }, false],
      ["$exists: false", { $exists: false }, true],
      ["$exists: false with another operator", { $exists: false, $neq: 1 }, false],
    ])("%s", (_name, condition, expected) => {
      expect(matches({ [missing]: condition })).toBe(expected);
    });

    it("an event without context, a field through null, an event without data", () => {
      const bare: FilterEnvelope = { type: "order.created", data: null, context: null };
      expect(matches({ "context.source": { $exists: false } }, bare)).toBe(true);
      expect(matches({ context: null }, bare)).toBe(true);
      expect(matches({ "data.note.x": { $exists: false } })).toBe(true);
      expect(matches({ data: { $exists: false } }, { type: "x" })).toBe(true);
      expect(matches({ type: { $exists: false } }, { data: 1 })).toBe(true);
    });
  });

  it("reads only an object's own fields, never its prototype's", () => {
    expect(matches({ "data.constructor": { $exists: true } })).toBe(false);
    expect(matches({ "data.items.length": 2 })).toBe(false);
    expect(matches({ "data.__proto__": { $exists: true } })).toBe(false);
  });

  it("a stored filter that fails its check matches nothing", () => {
    expect(compileFilter({ "data.amount": { $gt: true } })(event)).toBe(false);
  });
});

describe("filter checks", () => {
  const deep = (levels: number): FilterDoc => (levels === 0 ? { type: "a" } : { $or: [deep(levels - 1)] });

  it.each<[string, unknown, { path: string; message: RegExp }[]]>([
    ["not an object", ["type"], [{ path: "filter", message: /object of conditions/ }]],
    [
      "a root outside the envelope's",
      { id: "evt_1" },
      [{ path: "filter.id", message: /type, data or context/ }],
    ],
    ["a timestamp", { timestamp: { $gt: "2026" } }, [{ path: "filter.timestamp", message: /type, data/ }]],
    ["a field of type", { "type.name": "x" }, [{ path: "filter.type.name", message: /no fields/ }]],
    ["an empty path part", { "data..amount": 1 }, [{ path: "filter.data..amount", message: /empty/ }]],
    [
      "an unknown operator",
      { "data.a": { $regex: "x" } },
      [{ path: "filter.data.a.$regex", message: /not an operator/ }],
    ],
    ["a top-level operator", { $eq: 1 }, [{ path: "filter.$eq", message: /not allowed here/ }]],
    [
      "operators mixed with fields",
      { "data.a": { $eq: 1, b: 2 } },
      [{ path: "filter.data.a", message: /mixes/ }],
    ],
    [
      "$gt of a boolean",
      { "data.a": { $gt: true } },
      [{ path: "filter.data.a.$gt", message: /number or a string/ }],
    ],
    [
      "$lte of null",
      { "data.a": { $lte: null } },
      [{ path: "filter.data.a.$lte", message: /number or a string/ }],
    ],
    [
      "$in not an array",
      { "data.a": { $in: "x" } },
      [{ path: "filter.data.a.$in", message: /array of 1 to/ }],
    ],
    ["$nin empty", { "data.a": { $nin: [] } }, [{ path: "filter.data.a.$nin", message: /array of 1 to/ }]],
    [
      "$exists not a boolean",
      { "data.a": { $exists: 1 } },
      [{ path: "filter.data.a.$exists", message: /true or false/ }],
    ],
    ["$or not an array", { $or: { type: "a" } }, [{ path: "filter.$or", message: /array of 1 to/ }]],
    ["$and empty", { $and: [] }, [{ path: "filter.$and", message: /array of 1 to/ }]],
    [
      "a bad part deep inside",
      { $or: [{ type: "a" }, { "data.amount": { $gt: [1] } }] },
      [{ path: "filter.$or.1.data.amount.$gt", message: /number or a string/ }],
    ],
    [
      "a member not an object",
      { $and: [{ type: "a" }, "b"] },
      [{ path: "filter.$and.1", message: /object/ }],
    ],
    [
      "nesting past the bound",
      deep(FILTER_BOUNDS.depth + 1),
      [{ path: `filter${".$or.0".repeat(FILTER_BOUNDS.depth)}.$or`, message: /levels deep/ }],
    ],
    [
      "a path too long",
      { [`data.${"a".repeat(FILTER_BOUNDS.pathChars)}`]: 1 },
      [{ path: `filter.data.${"a".repeat(FILTER_BOUNDS.pathChars)}`, message: /characters/ }],
    ],
    [
      "a path of too many parts",
      { [`data${".a".repeat(FILTER_BOUNDS.pathSegments)}`]: 1 },
      [{ path: `filter.data${".a".repeat(FILTER_BOUNDS.pathSegments)}`, message: /parts/ }],
    ],
    [
      "too many conditions",
      Object.fromEntries(Array.from({ length: FILTER_BOUNDS.conditions + 1 }, (_, i) => [`data.f${i}`, i])),
      [{ path: "filter", message: /conditions and operators/ }],
    ],
    [
      "too many bytes",
      { "data.a": { $in: Array.from({ length: 90 }, (_, i) => `${i}`.padEnd(200, "x")) } },
      [{ path: "filter", message: /bytes as JSON/ }],
    ],
    [
      "too many items",
      { "data.a": { $in: Array.from({ length: FILTER_BOUNDS.items + 1 }, (_, i) => i) } },
      [{ path: "filter.data.a.$in", message: /array of 1 to/ }],
    ],
  ])("%s", (_name, filter, expected) => {
    const problems = filterProblems(filter);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((want, i) => {
      expect(problems[i]?.path).toBe(want.path);
      expect(problems[i]?.message).toMatch(want.message);
    });
  });

  it("the bounds themselves are allowed", () => {
    expect(filterProblems(deep(FILTER_BOUNDS.depth))).toEqual([]);
    const conditions = Object.fromEntries(
      Array.from({ length: FILTER_BOUNDS.conditions }, (_, i) => [`data.f${i}`, i]),
    );
    expect(filterProblems(conditions)).toEqual([]);
    expect(filterProblems({ [`data${".a".repeat(FILTER_BOUNDS.pathSegments - 1)}`]: 1 })).toEqual([]);
  });

  it("reports every bad part, not just the first", () => {
    const problems = filterProblems({ id: 1, "data.a": { $gt: null }, $and: [] });
    expect(problems.map((p) => p.path)).toEqual(["filter.id", "filter.data.a.$gt", "filter.$and"]);
  });
});

describe("filters on a catalog's targets", () => {
  const hooks = [
    hookRow({
      id: "hk_two_urls",
      kind: "callback",
      events: ["order.*"],
      urls: ["https://a.example/", "https://b.example/"],
      filter: { "data.amount": { $gte: 100 } },
    }),
    hookRow({
      id: "hk_fn",
      kind: "function",
      events: ["*"],
      live_version: 1,
      filter: { type: "order.paid" },
    }),
    hookRow({ id: "hk_open", kind: "callback", events: ["order.created"], urls: ["https://c.example/"] }),
  ].map(parseHookRow);
  const ids = (targets: { hookId: string; target: string }[]) =>
    targets.map((t) => `${t.hookId} ${t.target}`);

  it("keeps the targets of hooks whose filter passes and names each hook held back once", () => {
    const targets = targetsOf(hooks, "order.created");
    const small = applyFilters(targets, { type: "order.created", data: { amount: 5 }, context: null });
    expect(ids(small.targets)).toEqual(["hk_open https://c.example/"]);
    expect(small.filteredHooks).toEqual(["hk_two_urls", "hk_fn"]);
    const big = applyFilters(targets, { type: "order.created", data: { amount: 500 }, context: null });
    expect(ids(big.targets)).toEqual([
      "hk_two_urls https://a.example/",
      "hk_two_urls https://b.example/",
      "hk_open https://c.example/",
    ]);
    expect(big.filteredHooks).toEqual(["hk_fn"]);
  });

  it("a cached catalog compiles each hook's filter once, whatever the event types", () => {
    const catalog = new Catalog(new Map(), hooks);
    const created = catalog.targets("order.created");
    const paid = catalog.targets("order.paid");
    const matcherOf = (targets: typeof created, hookId: string) =>
      targets.find((t) => t.hookId === hookId)?.matches;
    expect(matcherOf(created, "hk_fn")).toBeTypeOf("function");
    expect(matcherOf(created, "hk_fn")).toBe(matcherOf(paid, "hk_fn"));
    expect(matcherOf(created, "hk_two_urls")).toBe(matcherOf(paid, "hk_two_urls"));
    expect(matcherOf(created, "hk_open")).toBeNull();
  });
});
