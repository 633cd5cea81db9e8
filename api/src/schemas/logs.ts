// The execution log (one record per attempt), its live tail and per-hook stats.
import { z } from "@hono/zod-openapi";
import { Instant, PageQuery, StorableText } from "./common";

const Id = StorableText.max(64);

/** The filters shared by the log list and its live tail. */
export const LogFilterQuery = z.object({
  hookId: Id.optional(),
  kind: z.enum(["callback", "function"]).optional(),
  outcome: StorableText.min(1)
    .max(64)
    .optional()
    .openapi({ description: "`success` or a failure outcome such as `http_error`, `timeout`, `error`" }),
  status: z.enum(["succeeded", "failed"]).optional().openapi({
    description: "Shorthand: `succeeded` is outcome `success`, `failed` is any other outcome",
  }),
  eventType: StorableText.max(100).optional(),
  eventId: Id.optional(),
  since: Instant.optional().openapi({ description: "Attempts recorded at or after this instant" }),
  until: Instant.optional().openapi({ description: "Attempts recorded before this instant" }),
});

export const LogListQuery = PageQuery.extend(LogFilterQuery.shape);

export const LogStreamQuery = LogFilterQuery.extend({
  after: z.string().max(500).optional().openapi({
    description: "Resume after this event id (as `Last-Event-ID` does); without either, only new attempts",
  }),
});

export const LogStreamHeaders = z.object({
  "last-event-id": z.string().max(500).optional(),
});

export const LogIdParam = z.object({
  ws: z.string().openapi({ param: { name: "ws", in: "path" } }),
  id: Id.openapi({ param: { name: "id", in: "path" }, example: "att_0123456789abcdefghjk" }),
});

export const LogSummary = z
  .object({
    id: z.string(),
    hookId: z.string(),
    hookName: z.string().nullable(),
    kind: z.enum(["callback", "function"]),
    trigger: z.enum(["delivery", "invoke"]).openapi({ description: "Test runs are not logged" }),
    eventId: z.string().nullable(),
    eventType: z.string().nullable(),
    deliveryId: z.string().nullable(),
    attempt: z.number().int(),
    outcome: z.string().openapi({ example: "success" }),
    startedAt: z.string(),
    durationMs: z.number().int(),
    createdAt: z.string(),
    responseStatus: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Callbacks: the HTTP status received" }),
    cpuMs: z.number().nullable().openapi({ description: "Functions: CPU time used" }),
  })
  .openapi("LogSummary");

export const LogRecord = LogSummary.extend({
  request: z.unknown().openapi({ description: "Callbacks: what was sent, secrets redacted" }),
  response: z.unknown().openapi({ description: "Callbacks: status, headers and the first 4 KB of the body" }),
  result: z.unknown().openapi({ description: "Functions: the returned JSON value" }),
  logs: z.unknown().openapi({ description: "Functions: captured console lines" }),
  error: z.unknown().openapi({ description: "The error; for functions with a source-mapped stack" }),
  heapBytes: z.number().nullable(),
}).openapi("LogRecord");

/** `30m`, `24h`, `7d`…, at most 90 days. */
export const StatsWindow = z
  .string()
  .regex(/^[1-9][0-9]{0,4}[mhd]$/, "a number followed by m, h or d, e.g. 24h")
  .refine((w) => !(windowMs(w) > 90 * 86_400_000), "at most 90 days")
  .default("24h");

export const StatsQuery = z.object({ window: StatsWindow });

export const HookStats = z
  .object({
    window: z.string(),
    from: z.string(),
    to: z.string(),
    total: z.number().int(),
    byOutcome: z.record(z.string(), z.number().int()),
    successRate: z.number().nullable().openapi({ description: "0..1; null when there were no attempts" }),
    durationMs: z.object({ p50: z.number().nullable(), p95: z.number().nullable() }),
    filtered: z
      .number()
      .int()
      .openapi({
        description:
          "Events of the hook's types its filter turned away (no delivery made). Counted per hour: the " +
          "window's first hour is counted whole",
      }),
    lastFailure: z
      .object({ at: z.string(), outcome: z.string(), attemptId: z.string(), error: z.string().nullable() })
      .nullable(),
  })
  .openapi("HookStats");

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The window's length; only called on strings the regex above accepted. */
export function windowMs(window: string): number {
  const unit = window.at(-1);
  const n = Number.parseInt(window.slice(0, -1), 10);
  return unit === "m" || unit === "h" || unit === "d" ? n * UNIT_MS[unit] : Number.NaN;
}

export type LogFilterInput = z.infer<typeof LogFilterQuery>;
export type LogSummaryValue = z.infer<typeof LogSummary>;
export type LogRecordValue = z.infer<typeof LogRecord>;
export type HookStatsValue = z.infer<typeof HookStats>;
