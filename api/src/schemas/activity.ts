// Activity over time, for the editor's charts: a hook's or the workspace's attempts in fixed time
// buckets (counts by outcome, p50/p95 duration), the hooks failing most, and each hook's success-rate
// series for the hook list's sparklines.
import { z } from "@hono/zod-openapi";

/** The windows a chart offers; each has a fixed bucket layout (services/activity-buckets.ts). */
export const ACTIVITY_WINDOWS = ["1h", "24h", "7d"] as const;
export type ActivityWindowValue = (typeof ACTIVITY_WINDOWS)[number];

export const ActivityQuery = z.object({
  window: z
    .enum(ACTIVITY_WINDOWS)
    .default("24h")
    .openapi({ description: "`1h` (60 × 1 min), `24h` (48 × 30 min) or `7d` (56 × 3 h)" }),
});

const Percentiles = z.object({ p50: z.number().nullable(), p95: z.number().nullable() });

export const ActivityBucket = z
  .object({
    start: z.string().openapi({ description: "The bucket's first instant; it lasts `bucketSeconds`" }),
    total: z.number().int(),
    byOutcome: z.record(z.string(), z.number().int()),
    durationMs: Percentiles.openapi({ description: "null in a bucket without attempts" }),
  })
  .openapi("ActivityBucket");

const Series = {
  window: z.enum(ACTIVITY_WINDOWS),
  from: z.string().openapi({ description: "The first bucket's start (bucket starts are aligned to UTC)" }),
  to: z
    .string()
    .openapi({ description: "The last bucket's end (after now: the last bucket is still filling)" }),
  bucketSeconds: z.number().int(),
};

export const Activity = z
  .object({
    ...Series,
    total: z.number().int(),
    byOutcome: z.record(z.string(), z.number().int()),
    buckets: z.array(ActivityBucket).openapi({ description: "Oldest first, a fixed count per window" }),
  })
  .openapi("Activity");

export const FailingHook = z
  .object({
    hookId: z.string(),
    name: z.string(),
    kind: z.enum(["callback", "function"]),
    attempts: z.number().int(),
    failures: z.number().int(),
    successRate: z.number().openapi({ description: "0..1" }),
  })
  .openapi("FailingHook");

export const WorkspaceActivity = Activity.extend({
  failingHooks: z
    .array(FailingHook)
    .openapi({ description: "Up to 5 hooks with failures in the window, most failures first" }),
}).openapi("WorkspaceActivity");

export const HookSparklines = z
  .object({
    ...Series,
    hooks: z.array(
      z.object({
        hookId: z.string(),
        attempts: z.number().int(),
        failures: z.number().int(),
        points: z
          .array(z.object({ attempts: z.number().int(), successRate: z.number().nullable() }))
          .openapi({ description: "One per bucket, oldest first; successRate is null without attempts" }),
      }),
    ),
  })
  .openapi("HookSparklines");

export type ActivityBucketValue = z.infer<typeof ActivityBucket>;
export type ActivityValue = z.infer<typeof Activity>;
export type FailingHookValue = z.infer<typeof FailingHook>;
export type WorkspaceActivityValue = z.infer<typeof WorkspaceActivity>;
export type HookSparklinesValue = z.infer<typeof HookSparklines>;
