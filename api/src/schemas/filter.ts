// A hook's filter and the filter-test route's body, for validation and the OpenAPI document. The
// body schema only asks for a JSON object: what the object says is checked by services/filter-rules.ts,
// which answers 422 with the path of each bad part. The document describes the full shape.
import { z } from "@hono/zod-openapi";
import { FILTER_BOUNDS } from "../services/filter-rules";

const compared = {
  type: ["number" as const, "string" as const],
  description: "Numbers with numbers, strings with strings (UTF-16 code unit order); no coercion",
};
const list = { type: "array" as const, minItems: 1, maxItems: FILTER_BOUNDS.items };

/** The operators a path's condition may use, as the document shows them (validation: filter-rules.ts). */
const operators = {
  type: "object" as const,
  description: "Operators: all must hold. Every one but `$exists: false` fails on a missing path.",
  minProperties: 1,
  additionalProperties: false,
  properties: {
    $eq: { description: "Deep equality" },
    $neq: { description: "Present and not deep-equal" },
    $gt: compared,
    $gte: compared,
    $lt: compared,
    $lte: compared,
    $in: { ...list, description: "Deep-equal to one of the values" },
    $nin: { ...list, description: "Present and deep-equal to none of the values" },
    $exists: { type: "boolean" as const },
    $contains: {
      description: "A string value holds this substring; an array value holds an element deep-equal to it",
    },
  },
};

export const HookFilter = z.record(z.string(), z.unknown()).openapi("HookFilter", {
  description:
    "Matched against the event envelope at ingest; an event that does not match creates no delivery " +
    "for the hook. Keys are dotted paths starting at `type`, `data` or `context` (`data.items.0.sku`), " +
    "or `$and` / `$or` with an array of filters; all keys must hold. A path's condition is a literal " +
    "(deep equality) or an object of operators (all must hold). A missing path matches nothing but " +
    `\`$exists: false\`. Bounds: ${FILTER_BOUNDS.bytes} bytes, ${FILTER_BOUNDS.conditions} conditions ` +
    `and operators, $and/$or ${FILTER_BOUNDS.depth} levels deep, ${FILTER_BOUNDS.items} items per list, ` +
    `paths of ${FILTER_BOUNDS.pathSegments} parts and ${FILTER_BOUNDS.pathChars} characters.`,
  additionalProperties: {
    anyOf: [
      operators,
      {
        type: "array" as const,
        description: "$and / $or",
        items: { $ref: "#/components/schemas/HookFilter" },
      },
      { description: "A literal, compared for deep equality" },
    ],
  },
  example: {
    type: "order.created",
    "data.amount": { $gte: 100 },
    $or: [{ "context.source": "web" }, { "data.items.0.sku": { $in: ["A-1", "A-2"] } }],
  },
});

export const FilterTestBody = z
  .strictObject({
    event: z
      .object({
        type: z.string().max(100).optional(),
        data: z.unknown().optional(),
        context: z.unknown().optional(),
      })
      .openapi({
        description:
          "The envelope, or the part a filter sees; other fields (id, timestamp, workspace) are ignored " +
          "and a field left out is a missing path. `context` is null in a real envelope without one.",
        example: { type: "order.created", data: { amount: 120 }, context: { source: "web" } },
      }),
    filter: HookFilter.nullable()
      .optional()
      .openapi({ description: "Test this filter instead of the saved one (null: no filter)" }),
  })
  .openapi("FilterTest");

export const FilterTestResult = z
  .object({ matches: z.boolean() })
  .openapi("FilterTestResult", { description: "Nothing was sent or recorded" });

export type FilterTestInput = z.infer<typeof FilterTestBody>;
