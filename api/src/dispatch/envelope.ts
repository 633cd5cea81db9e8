// The event as receivers see it: the body of a callback, the first argument of a function.
import type { CallbackEnvelope } from "@hookrun/runtime";

export interface EventLike {
  id: string;
  type: string;
  workspace_id: string;
  data: unknown;
  context: unknown;
  created_at: Date;
}

export function toEnvelope(event: EventLike): CallbackEnvelope {
  return {
    id: event.id,
    type: event.type,
    timestamp: event.created_at.toISOString(),
    workspace: event.workspace_id,
    data: event.data,
    context: event.context ?? null,
  };
}
