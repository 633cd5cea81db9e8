// A workspace's catalog as ingest reads it: its event types, its subscribed hooks, and for each event
// type the delivery targets those hooks give (worked out once per type while a cached catalog lives),
// each with its hook's compiled filter (compiled once per hook while a cached catalog lives).
import type { Hook } from "../db/hook";
import type { EventTypeRow } from "../db/schema";
import { FUNCTION_TARGET } from "../queue";
import { covers } from "../schemas/hook-rules";
import { compileFilter, type FilterEnvelope, type Matcher } from "./filter-match";

export type CachedEventType = Pick<EventTypeRow, "id" | "schema" | "updated_at">;

export interface DeliveryTarget {
  hookId: string;
  target: string;
  /** The hook's filter; null when it has none. Targets of one hook share it. */
  matches: Matcher | null;
  /** A FIFO hook's URL: the delivery takes its place in the URL's line (queue/fifo-lines.ts). */
  inLine: boolean;
}

export class Catalog {
  private readonly targetsByType = new Map<string, DeliveryTarget[]>();
  private readonly matchers = new Map<string, Matcher | null>();

  constructor(
    readonly eventTypes: Map<string, CachedEventType>,
    /** Enabled, not deleted hooks of the workspace. */
    readonly hooks: Hook[],
  ) {}

  /** The targets of an event of this type, computed on first use. */
  targets(eventType: string): DeliveryTarget[] {
    let targets = this.targetsByType.get(eventType);
    if (!targets) {
      targets = targetsOf(this.hooks, eventType, (hook) => this.matcherOf(hook));
      this.targetsByType.set(eventType, targets);
    }
    return targets;
  }

  private matcherOf(hook: Hook): Matcher | null {
    let matcher = this.matchers.get(hook.id);
    if (matcher === undefined) {
      matcher = compileHookFilter(hook);
      this.matchers.set(hook.id, matcher);
    }
    return matcher;
  }
}

const compileHookFilter = (hook: Hook): Matcher | null => (hook.filter ? compileFilter(hook.filter) : null);

/**
 * One target per URL of a callback hook (URLs disabled by a 410 excluded), one per function hook
 * with a live version. A function without a deployed version has nothing to run yet.
 */
export function targetsOf(
  hooks: Hook[],
  eventType: string,
  matcherOf: (hook: Hook) => Matcher | null = compileHookFilter,
): DeliveryTarget[] {
  return hooks.flatMap((hook) => {
    if (!hook.events.some((subscription) => covers(subscription, eventType))) return [];
    const matches = matcherOf(hook);
    if (hook.kind === "function")
      return hook.live_version === null
        ? []
        : [{ hookId: hook.id, target: FUNCTION_TARGET, matches, inLine: false }];
    const disabled = new Set(hook.disabled_urls.map((d) => d.url));
    return hook.urls
      .filter((url) => !disabled.has(url))
      .map((url) => ({ hookId: hook.id, target: url, matches, inLine: hook.fifo }));
  });
}

/** The targets whose hook's filter lets the event through, and the hooks whose filter held it back. */
export function applyFilters(
  targets: DeliveryTarget[],
  event: FilterEnvelope,
): { targets: DeliveryTarget[]; filteredHooks: string[] } {
  if (!targets.some((t) => t.matches)) return { targets, filteredHooks: [] };
  const verdicts = new Map<string, boolean>();
  const kept = targets.filter(({ hookId, matches }) => {
    if (!matches) return true;
    let verdict = verdicts.get(hookId);
    if (verdict === undefined) {
      verdict = matches(event);
      verdicts.set(hookId, verdict);
    }
    return verdict;
  });
  const filteredHooks = [...verdicts].filter(([, verdict]) => !verdict).map(([hookId]) => hookId);
  return { targets: kept, filteredHooks };
}
