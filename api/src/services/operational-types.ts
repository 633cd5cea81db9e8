// hookrun's own event types (issue 17, "operational events"): in every workspace's catalog without a
// row of their own, so every workspace, old or new, lists the same five with the same schema, and a
// change of schema here needs no migration. Users cannot create, change, delete or post them
// (schemas/hook-rules.ts isReservedEventType); hookrun emits them (services/operational-events.ts).
import { isReservedEventType } from "../schemas/hook-rules";

export const OPERATIONAL_EVENT_TYPES = [
  "hookrun.hook.disabled",
  "hookrun.url.disabled",
  "hookrun.delivery.exhausted",
  "hookrun.url.circuit_opened",
  "hookrun.url.recovered",
] as const;

export type OperationalEventType = (typeof OPERATIONAL_EVENT_TYPES)[number];

/** The `data` of every operational event; OPERATIONAL_DATA_SCHEMA says the same in JSON Schema. */
export interface OperationalData {
  /** The workspace whose hook it concerns (also in the copy sent to HOOKRUN_OPERATIONS_WORKSPACE). */
  workspace: string;
  hook: { id: string; name: string };
  /** The URL concerned; null for a function hook. */
  url: string | null;
  /** The delivery whose attempt made the change, as it stands after that attempt. */
  delivery: {
    id: string;
    eventId: string;
    eventType: string;
    attempts: number;
    lastOutcome: string | null;
  };
  /** Why, in words. */
  reason: string;
}

const text = { type: "string" } as const;

export const OPERATIONAL_DATA_SCHEMA: Record<string, unknown> = {
  type: "object",
  required: ["workspace", "hook", "url", "delivery", "reason"],
  additionalProperties: false,
  properties: {
    workspace: { ...text, description: "The workspace whose hook it concerns" },
    hook: {
      type: "object",
      required: ["id", "name"],
      additionalProperties: false,
      properties: { id: text, name: text },
    },
    url: { type: ["string", "null"], description: "The URL concerned; null for a function hook" },
    delivery: {
      type: "object",
      description: "The delivery whose attempt made the change, as it stands after that attempt",
      required: ["id", "eventId", "eventType", "attempts", "lastOutcome"],
      additionalProperties: false,
      properties: {
        id: text,
        eventId: text,
        eventType: text,
        attempts: { type: "integer", minimum: 0 },
        lastOutcome: { type: ["string", "null"] },
      },
    },
    reason: { ...text, description: "Why, in words" },
  },
};

const example = (url: string | null, lastOutcome: string, attempts: number, reason: string) =>
  ({
    workspace: "ws_0123456789abcdefghjk",
    hook: { id: "hk_0123456789abcdefghjk", name: "orders-to-crm" },
    url,
    delivery: {
      id: "dlv_0123456789abcdefghjk",
      eventId: "evt_0123456789abcdefghjk",
      eventType: "order.paid",
      attempts,
      lastOutcome,
    },
    reason,
  }) satisfies OperationalData;

const URL_EXAMPLE = "https://crm.example.com/hooks";

const DESCRIBED: Record<OperationalEventType, { description: string; example: OperationalData }> = {
  "hookrun.hook.disabled": {
    description: "hookrun disabled a hook automatically after it failed continuously for 5 days.",
    example: example(
      URL_EXAMPLE,
      "http_error",
      3,
      "disabled automatically: failing continuously since 2026-11-28T09:00:00.000Z",
    ),
  },
  "hookrun.url.disabled": {
    description: "hookrun disabled one URL of a hook because it answered 410 Gone.",
    example: example(URL_EXAMPLE, "gone", 1, "the receiver answered 410 Gone"),
  },
  "hookrun.delivery.exhausted": {
    description:
      "A delivery failed for good after an attempt: its retries are used up, its URL answered 410 Gone, or the egress guard refused it twice.",
    example: example(URL_EXAMPLE, "http_error", 8, "its retries are used up (8 of 8 attempts)"),
  },
  "hookrun.url.circuit_opened": {
    description:
      "A URL's circuit breaker opened after consecutive failures: its deliveries wait until a probe succeeds.",
    example: example(URL_EXAMPLE, "timeout", 2, "10 consecutive failures"),
  },
  "hookrun.url.recovered": {
    description: "A URL's circuit breaker closed again: a probe succeeded and its deliveries go out.",
    example: example(URL_EXAMPLE, "success", 3, "a probe succeeded"),
  },
};

/** When these types entered the catalog: their createdAt and updatedAt. */
const INTRODUCED_AT = "2026-12-01T00:00:00.000Z";

/** An operational type as the catalog shows it (services/event-types.ts EventType). */
export interface OperationalTypeEntry {
  name: OperationalEventType;
  description: string;
  schema: Record<string, unknown>;
  example: OperationalData;
  builtIn: true;
  createdAt: string;
  updatedAt: string;
}

export const OPERATIONAL_CATALOG: OperationalTypeEntry[] = OPERATIONAL_EVENT_TYPES.map((name) => ({
  name,
  ...DESCRIBED[name],
  schema: OPERATIONAL_DATA_SCHEMA,
  builtIn: true,
  createdAt: INTRODUCED_AT,
  updatedAt: INTRODUCED_AT,
}));

const BY_NAME = new Map<string, OperationalTypeEntry>(OPERATIONAL_CATALOG.map((t) => [t.name, t]));

/** The operational type of that exact name, if it is one. */
export const operationalType = (name: string): OperationalTypeEntry | undefined => BY_NAME.get(name);

/**
 * Is this an event of hookrun's own (or under its reserved prefix)? A delivery of one never causes
 * another operational event.
 */
export const isOperationalEventType = isReservedEventType;
