// Prometheus metrics of one process. A registry per process (not prom-client's global one), so
// tests can build many apps and each API or worker process exports exactly its own figures.
import type { FunctionRuntime } from "@hookrun/runtime";
import { sql } from "kysely";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Db } from "../db/connect";

export interface Metrics {
  registry: Registry;
  eventsIngested: Counter<"outcome">;
  deliveries: Counter<"kind" | "outcome">;
  /** Deliveries a gate held back without an attempt (dispatch/admission.ts), by why. */
  deliveriesWaited: Counter<"why">;
  /** Callback URLs whose circuit breaker this process's worker opened (closed to open). */
  circuitOpens: Counter;
  attemptDuration: Histogram<"kind">;
  httpRequests: Histogram<"method" | "route" | "status">;
}

export interface MetricSources {
  db: Db;
  runtime?: FunctionRuntime | undefined;
}

export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "hookrun_process_" });
  const metrics: Metrics = {
    registry,
    eventsIngested: new Counter({
      name: "hookrun_events_ingested_total",
      help: "Events accepted by POST .../events (outcome: accepted or replayed by idempotency key)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: "hookrun_delivery_attempts_total",
      help: "Delivery attempts recorded by this process's worker, by hook kind and outcome",
      labelNames: ["kind", "outcome"],
      registers: [registry],
    }),
    deliveriesWaited: new Counter({
      name: "hookrun_deliveries_waited_total",
      help: "Deliveries held back without an attempt by this process's worker: rate_limit, fifo or circuit_open",
      labelNames: ["why"],
      registers: [registry],
    }),
    circuitOpens: new Counter({
      name: "hookrun_circuit_opens_total",
      help: "Callback URLs whose circuit breaker this process's worker opened (closed to open; a failed probe reopening is not counted)",
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: "hookrun_attempt_duration_seconds",
      help: "Duration of delivery attempts (callback request or function run)",
      labelNames: ["kind"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    httpRequests: new Histogram({
      name: "hookrun_http_request_duration_seconds",
      help: "API requests by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
  };
  registerQueueGauges(registry, sources.db);
  registerCircuitGauge(registry, sources.db);
  if (sources.runtime) registerRuntimeGauges(registry, sources.runtime);
  return metrics;
}

/** Read from the database at scrape time: the queue is shared by every worker. */
function registerQueueGauges(registry: Registry, db: Db): void {
  new Gauge({
    name: "hookrun_queue_due",
    help: "Pending deliveries that are due now",
    registers: [registry],
    async collect() {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from deliveries where status = 'pending' and next_attempt_at <= now()`.execute(
        db,
      );
      this.set(rows[0]?.n ?? 0);
    },
  });
  new Gauge({
    name: "hookrun_queue_oldest_due_age_seconds",
    help: "How long the oldest due pending delivery has been waiting",
    registers: [registry],
    async collect() {
      const { rows } = await sql<{ age: number | null }>`
        select extract(epoch from now() - min(next_attempt_at))::float8 as age
        from deliveries where status = 'pending' and next_attempt_at <= now()`.execute(db);
      this.set(rows[0]?.age ?? 0);
    },
  });
}

/** Read from the database at scrape time: every worker opens and closes circuits. */
function registerCircuitGauge(registry: Registry, db: Db): void {
  new Gauge({
    name: "hookrun_circuits_open",
    help: "Callback URLs whose circuit breaker is open or half-open (probing), of hooks not deleted",
    registers: [registry],
    async collect() {
      // A deleted hook's or a removed URL's state stays as it was: not counted.
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from url_states s join hooks h on h.id = s.hook_id
        where s.state <> 'closed' and h.deleted_at is null and h.urls @> jsonb_build_array(s.url)`.execute(
        db,
      );
      this.set(rows[0]?.n ?? 0);
    },
  });
}

function registerRuntimeGauges(registry: Registry, runtime: FunctionRuntime): void {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge("hookrun_executors", "Live sandbox executor processes", () => runtime.stats().executors);
  gauge(
    "hookrun_executor_restarts_total",
    "Executor processes restarted after a crash",
    () => runtime.stats().restarts,
  );
  gauge("hookrun_isolates", "Warm isolates in the pool", () => runtime.stats().isolates);
  gauge(
    "hookrun_isolate_limit_hits_total",
    "Function runs that hit a memory, CPU or time limit",
    () => runtime.stats().limitHits,
  );
}
