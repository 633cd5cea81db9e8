// Kysely's view of the tables in migrations/. One interface per table, one Database built from them.
import type { SigningConfig } from "@hookrun/runtime";
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/** A timestamp column: read as Date, written as Date or an ISO string, defaulted by the database. */
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** jsonb: written as a JSON string (pg and PGlite both accept it), read back parsed. */
export type Json<T> = ColumnType<T, string, string>;
export type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

export type Role = "root" | "admin" | "operator" | "ingest";
export type HookKind = "callback" | "function";
export type HttpMethod = "POST" | "PUT" | "GET";
export type DeliveryStatus = "pending" | "succeeded" | "failed" | "canceled";
/** What a waiting delivery waits for: its hook's rate, its turn in a FIFO line, or its URL's breaker. */
export type DeliveryWaiting = "rate_limit" | "fifo" | "circuit_open";

export interface RetryPolicy {
  maxAttempts: number;
}

export interface FunctionLimits {
  memoryMb: number;
  timeoutMs: number;
  cpuMs: number;
}

/** The non-secret half of a callback's signing setup; the secret lives in signing_secret_enc. */
export type { SigningConfig };

export interface DisabledUrl {
  url: string;
  at: string;
  reason: string;
}

export interface WorkspacesTable {
  id: string;
  name: string;
  description: Generated<string>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface ApiKeysTable {
  id: string;
  workspace_id: string | null;
  role: Role;
  name: string;
  prefix: string;
  hash: string;
  created_at: CreatedAt;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

/** A portal session's look, given at its creation (POST .../portal-sessions). */
export interface PortalTheme {
  name?: string;
  logoUrl?: string;
  accentColor?: string;
  mode?: "light" | "dark";
}

export interface PortalSessionsTable {
  id: string;
  workspace_id: string;
  role: "admin" | "operator";
  theme: Json<PortalTheme>;
  token_hash: string;
  credential_hash: string | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface EventTypesTable {
  id: string;
  workspace_id: string;
  name: string;
  description: Generated<string>;
  schema: NullableJson<Record<string, unknown>>;
  example: NullableJson<unknown>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface HooksTable {
  id: string;
  workspace_id: string;
  kind: HookKind;
  name: string;
  description: Generated<string>;
  events: Json<string[]>;
  enabled: Generated<boolean>;
  disabled_reason: string | null;
  retry: Json<RetryPolicy>;
  failing_since: NullableTimestamp;
  method: HttpMethod | null;
  urls: NullableJson<string[]>;
  disabled_urls: NullableJson<DisabledUrl[]>;
  headers_enc: string | null;
  timeout_ms: number | null;
  signing: NullableJson<SigningConfig>;
  signing_secret_enc: string | null;
  previous_signing_secret_enc: string | null;
  previous_signing_secret_expires_at: NullableTimestamp;
  source: string | null;
  live_version: number | null;
  secrets_enc: string | null;
  limits: NullableJson<FunctionLimits>;
  /** Checked when saved (services/filter-rules.ts); null: every event of its types. */
  filter: NullableJson<Record<string, unknown>>;
  /** Deliveries per second for the whole hook (dispatch/rate-limit); null: no limit. */
  rate_limit: number | null;
  /** Callback hooks: each URL gets the hook's events one at a time, in ingest order. */
  fifo: Generated<boolean>;
  /** Consecutive failures that open a URL's breaker; null: DEFAULT_BREAKER_FAILURES. */
  breaker_failures: number | null;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  deleted_at: NullableTimestamp;
}

export interface FunctionVersionsTable {
  id: string;
  workspace_id: string;
  hook_id: string;
  version: number;
  source: string;
  code: string;
  source_map: string;
  created_at: CreatedAt;
}

export interface EventsTable {
  id: string;
  workspace_id: string;
  type: string;
  data: Json<unknown>;
  context: NullableJson<unknown>;
  idempotency_key: string | null;
  created_at: CreatedAt;
}

export interface DeliveriesTable {
  id: string;
  workspace_id: string;
  event_id: string;
  hook_id: string;
  target: string;
  status: DeliveryStatus;
  attempts: Generated<number>;
  next_attempt_at: CreatedAt;
  lease_owner: string | null;
  last_outcome: string | null;
  /** Why a pending delivery is held back without an attempt; null when it is not. */
  waiting: DeliveryWaiting | null;
  /** Its place in its FIFO line (hook and URL); null unless its hook was FIFO when it was created. */
  line_seq: ColumnType<number | null, number | null | undefined, number | null>;
  /** Its FIFO line's gate let it go: while it is pending and leased, it is the line's one in flight. */
  line_admitted: Generated<boolean>;
  /** The rate slot a delivery waiting for its hook's rate holds (dispatch/rate-limit.ts). */
  rate_slot_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  finished_at: NullableTimestamp;
}

export interface AttemptsTable {
  id: string;
  workspace_id: string;
  delivery_id: string | null;
  event_id: string | null;
  hook_id: string;
  kind: HookKind;
  trigger: "delivery" | "invoke";
  event_type: string | null;
  attempt: number;
  outcome: string;
  started_at: Timestamp;
  duration_ms: number;
  request: NullableJson<unknown>;
  response: NullableJson<unknown>;
  result: NullableJson<unknown>;
  logs: NullableJson<unknown>;
  error: NullableJson<unknown>;
  cpu_ms: number | null;
  heap_bytes: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: CreatedAt;
}

/** Events a hook's filter turned away, per hour of ingest (written by the ingest statement). */
export interface HookFilterCountsTable {
  workspace_id: string;
  hook_id: string;
  hour: Timestamp;
  events: ColumnType<string, number, number>;
}

/** A callback URL's circuit breaker (dispatch/breaker.ts): a row only for a URL that ever failed. */
export type CircuitState = "closed" | "open" | "half_open";

export interface UrlStatesTable {
  hook_id: string;
  url: string;
  failures: number;
  state: CircuitState;
  since: NullableTimestamp;
  next_probe_at: NullableTimestamp;
  cooldown_ms: number;
  probe_delivery_id: string | null;
}

/** The service's own facts about this database (e.g. the encryption key's check value). */
export interface HookrunMetaTable {
  name: string;
  value: string;
}

/** A rated hook's next free delivery slot ("theoretical arrival time", dispatch/rate-limit.ts). */
export interface HookRatesTable {
  hook_id: string;
  /** The rate a change of the hook's rate wrote (null: removed); the hook's own until one does. */
  rate: number | null;
  tat: Timestamp;
}

/** A dispatch worker that is alive as long as its heartbeat is recent. */
export interface WorkersTable {
  id: string;
  heartbeat_at: ColumnType<Date, Date | undefined, Date>;
}

export interface Database {
  hookrun_meta: HookrunMetaTable;
  workers: WorkersTable;
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  portal_sessions: PortalSessionsTable;
  event_types: EventTypesTable;
  hooks: HooksTable;
  function_versions: FunctionVersionsTable;
  events: EventsTable;
  deliveries: DeliveriesTable;
  attempts: AttemptsTable;
  hook_filter_counts: HookFilterCountsTable;
  url_states: UrlStatesTable;
  hook_rates: HookRatesTable;
}

export type WorkspaceRow = Selectable<WorkspacesTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type PortalSessionRow = Selectable<PortalSessionsTable>;
export type EventTypeRow = Selectable<EventTypesTable>;
export type HookRow = Selectable<HooksTable>;
export type UrlStateRow = Selectable<UrlStatesTable>;
export type NewHook = Insertable<HooksTable>;
export type HookUpdate = Updateable<HooksTable>;
export type FunctionVersionRow = Selectable<FunctionVersionsTable>;
