// The embedded bench's settings, read once from the environment (BENCH_*). The posters' count
// (BENCH_POSTERS) and the drain cap (BENCH_DRAIN_SECONDS) are bench/dispatch's.
import { num } from "../dispatch/options";

/** BENCH_EMBEDDED_RATE: events posted per second in each phase (default 500, issue 16's load). */
export const RATE = num("BENCH_EMBEDDED_RATE", 500);
/** BENCH_SECONDS: load duration of each phase (default 60). */
export const SECONDS = num("BENCH_SECONDS", 60);
/** BENCH_PHASE=callback|function: that phase alone. */
export const PHASE = process.env.BENCH_PHASE;
/** Issue 16's target: delivery keeps at least this share of the ingest rate. */
export const TARGET_RATIO = 0.9;
/** How often a phase samples the service's counters. */
export const SAMPLE_MS = 5_000;
/** Receivers and the function's hosts are on loopback: the egress guard lets exactly that through. */
export const EGRESS_ALLOW = "127.0.0.1/32";
