// Bodies and results of running a hook by hand: invoke (live function) and test (either kind).
import { z } from "@hono/zod-openapi";
import { EventTypeName, Source } from "./hooks";

export const SampleEvent = {
  type: EventTypeName.optional().openapi({
    description: "Defaults to the hook's first subscribed event type",
  }),
  data: z.unknown().optional().openapi({ description: "Defaults to the event type's example" }),
  context: z.unknown().optional(),
};

export const InvokeBody = z.strictObject(SampleEvent).openapi("InvokeBody");

export const TestBody = z
  .strictObject({
    ...SampleEvent,
    source: Source.optional().openapi({ description: "Function hooks: run this instead of the saved draft" }),
    url: z
      .string()
      .max(2048)
      .optional()
      .openapi({ description: "Callback hooks: which of the hook's URLs (default: the first)" }),
  })
  .openapi("TestBody");

export const RunResult = z
  .object({
    outcome: z.string().openapi({
      description:
        "success, or the failure: http_error, gone, timeout, blocked, network_error, error, cpu_limit, memory_limit, crashed",
    }),
    durationMs: z.number(),
    event: z.unknown().openapi({ description: "The envelope that was sent or passed to the function" }),
    request: z.unknown().nullable(),
    response: z.unknown().nullable(),
    result: z.unknown().nullable(),
    logs: z.unknown().nullable(),
    error: z.unknown().nullable(),
    cpuMs: z.number().nullable(),
    heapBytes: z.number().nullable(),
    attemptId: z
      .string()
      .nullable()
      .openapi({ description: "The execution log record (invoke only; tests are not logged)" }),
  })
  .openapi("RunResult");

export type SampleEventInput = z.infer<typeof InvokeBody>;
export type TestInput = z.infer<typeof TestBody>;
export type RunResultValue = z.infer<typeof RunResult>;
