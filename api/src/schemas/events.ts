// Events, deliveries and their views.
import { z } from "@hono/zod-openapi";
import { EventTypeName } from "./hooks";

export const EventIngest = z
  .strictObject({
    type: EventTypeName.openapi({ example: "verification" }),
    data: z
      .unknown()
      .refine((v) => v !== undefined, "is required")
      .openapi({ example: { sessionId: "ses_123" } }),
    context: z.unknown().optional().openapi({ description: "Passed through to receivers as `context`" }),
    id: z.string().min(1).max(200).optional().openapi({
      description: "Your own id for the event: a second post with the same id is not delivered again",
    }),
  })
  .openapi("EventIngest");

export const DeliveryStatus = z.enum(["pending", "succeeded", "failed", "canceled"]);

export const DeliveryView = z
  .object({
    id: z.string(),
    eventId: z.string(),
    hookId: z.string(),
    target: z.string().openapi({ description: "The URL, or `function` for a function hook" }),
    status: DeliveryStatus,
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable().openapi({
      description: "When a pending delivery is due; null also while it waits to be released (`waiting`)",
    }),
    lastOutcome: z.string().nullable(),
    waiting: z.enum(["rate_limit", "fifo", "circuit_open"]).nullable().openapi({
      description:
        "Why a pending delivery is held back without an attempt: its hook's rate limit, its turn in a FIFO line, or its URL's open circuit",
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi("Delivery");

export const EventView = z
  .object({
    id: z.string(),
    type: z.string(),
    data: z.unknown(),
    context: z.unknown(),
    idempotencyKey: z.string().nullable(),
    createdAt: z.string(),
    deliveries: z.array(DeliveryView),
  })
  .openapi("Event");

export const IngestResponse = z
  .object({ id: z.string(), deliveries: z.array(DeliveryView) })
  .openapi("IngestResult");

export type EventIngestInput = z.infer<typeof EventIngest>;
export type DeliveryViewValue = z.infer<typeof DeliveryView>;
export type EventViewValue = z.infer<typeof EventView>;
