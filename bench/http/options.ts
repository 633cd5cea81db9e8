// The HTTP bench's settings, read once from the environment (every BENCH_HTTP_* knob; the PostgreSQL
// server is bench/dispatch's BENCH_DATABASE_URL).
import { num } from "../dispatch/options";

export { PG_URL } from "../dispatch/options";

/** BENCH_HTTP_SECONDS: how long each target is loaded (default 10), after a 1 s warm-up. */
export const SECONDS = num("BENCH_HTTP_SECONDS", 10);
/** BENCH_HTTP_WARMUP_SECONDS: the untimed load before each target (isolates, JIT, pools; default 1). */
export const WARMUP_SECONDS = num("BENCH_HTTP_WARMUP_SECONDS", 1);
/** BENCH_HTTP_CONNECTIONS: concurrent keep-alive connections of the load generator (default 32). */
export const CONNECTIONS = num("BENCH_HTTP_CONNECTIONS", 32);
/** BENCH_HTTP_ONLY=pglite|postgres: that database alone. */
export const ONLY = process.env.BENCH_HTTP_ONLY;
/** BENCH_HTTP_TARGETS=bare,healthz,me,get-hook,test,invoke (any of them): only those; default all. */
export const TARGETS = process.env.BENCH_HTTP_TARGETS?.split(",").map((s) => s.trim());
/** BENCH_HTTP_PROF=dir: the service runs with --cpu-prof, its profile written there when it stops. */
export const PROFILE_DIR = process.env.BENCH_HTTP_PROF;
/** How many requests of each kind the round-trip count averages over. */
export const ROUND_TRIP_REQUESTS = 20;
