// Every migration, in order. A static list (not a folder scan) so the bundled CLI carries them.
import type { Migration } from "kysely/migration";
import * as initial from "./20261122190000_initial";
import * as logIndexes from "./20261122210000_log_indexes";
import * as claimFunction from "./20261123010000_claim_function";
import * as queueAutovacuum from "./20261123020000_queue_autovacuum";
import * as keyCheck from "./20261202010000_key_check";
import * as workers from "./20261202020000_workers";
import * as portalSessions from "./20261203010000_portal_sessions";
import * as hookFilters from "./20261204011700_hook_filters";
import * as deliveryControl from "./20261205010000_delivery_control";
import * as rateLimits from "./20261205020000_rate_limits";
import * as fifoLines from "./20261205030000_fifo_lines";
import * as urlStates from "./20261205040000_url_states";

export const migrations: Record<string, Migration> = {
  "20261122190000_initial": initial,
  "20261122210000_log_indexes": logIndexes,
  "20261123010000_claim_function": claimFunction,
  "20261123020000_queue_autovacuum": queueAutovacuum,
  "20261202010000_key_check": keyCheck,
  "20261202020000_workers": workers,
  "20261203010000_portal_sessions": portalSessions,
  "20261204011700_hook_filters": hookFilters,
  "20261205010000_delivery_control": deliveryControl,
  "20261205020000_rate_limits": rateLimits,
  "20261205030000_fifo_lines": fifoLines,
  "20261205040000_url_states": urlStates,
};
