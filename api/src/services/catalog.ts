// A workspace's catalog as ingest reads it: its event types, its subscribed hooks, and for each event
// type the delivery targets those hooks give (worked out once per type while a cached catalog lives).
import type { Hook } from "../db/hook";
import type { EventTypeRow } from "../db/schema";
import { covers } from "../schemas/hook-rules";

export type CachedEventType = Pick<EventTypeRow, "id" | "schema" | "updated_at">;

export interface DeliveryTarget {
  hookId: string;
  target: string;
}

export class Catalog {
  private readonly targetsByType = new Map<string, DeliveryTarget[]>();

  constructor(
    readonly eventTypes: Map<string, CachedEventType>,
    /** Enabled, not deleted hooks of the workspace. */
    readonly hooks: Hook[],
  ) {}

  /** The targets of an event of this type, computed on first use. */
  targets(eventType: string): DeliveryTarget[] {
    let targets = this.targetsByType.get(eventType);
    if (!targets) {
      targets = targetsOf(this.hooks, eventType);
      this.targetsByType.set(eventType, targets);
    }
    return targets;
  }
}

/**
 * One target per URL of a callback hook (URLs disabled by a 410 excluded), one per function hook
 * with a live version. A function without a deployed version has nothing to run yet.
 */
export function targetsOf(hooks: Hook[], eventType: string): DeliveryTarget[] {
  return hooks.flatMap((hook) => {
    if (!hook.events.some((subscription) => covers(subscription, eventType))) return [];
    if (hook.kind === "function")
      return hook.live_version === null ? [] : [{ hookId: hook.id, target: "function" }];
    const disabled = new Set(hook.disabled_urls.map((d) => d.url));
    return hook.urls.filter((url) => !disabled.has(url)).map((url) => ({ hookId: hook.id, target: url }));
  });
}
