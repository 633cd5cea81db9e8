// A phase's backlog: the counts of its hook's deliveries by status, sampled every SAMPLE_MS during
// the load (with CPU and event-loop use), then waited on until nothing is pending.
import { sql } from "kysely";
import type { Db } from "../../api/src/db/connect";
import { type CpuSnap, cpuSnap } from "./cpu";
import { progress } from "./figures";
import { DRAIN_CAP_S, SAMPLE_MS } from "./options";
import { capped, now, sleep, TIMEOUT } from "./wait";

export interface Backlog {
  pending: number;
  done: number;
  failed: number;
}

export interface Sample extends Backlog {
  /** Seconds after the load started. */
  t: number;
  cpu: CpuSnap;
  /** Event-loop utilization of the bench's process since the previous sample, 0-1. */
  elu: number;
}

/** `db` is the bench's own (without the query counter): sampling is not the service's work. */
export async function backlog(db: Db, hookId: string): Promise<Backlog> {
  const r = await sql<{ pending: number; done: number; failed: number }>`
    select count(*) filter (where status = 'pending')::int8 as pending,
           count(*) filter (where status = 'succeeded')::int8 as done,
           count(*) filter (where status in ('failed', 'canceled'))::int8 as failed
    from deliveries where hook_id = ${hookId}`.execute(db);
  const row = r.rows[0]!;
  return { pending: Number(row.pending), done: Number(row.done), failed: Number(row.failed) };
}

/** Samples from t0 + SAMPLE_MS until `stop()`, which resolves to the samples taken. */
export function startSampler(
  db: Db,
  hookId: string,
  label: string,
  t0: number,
  ingestedSoFar: () => number | null,
): { stop(): Promise<Sample[]> } {
  const samples: Sample[] = [];
  let elu0 = performance.eventLoopUtilization();
  const sampleOnce = async () => {
    const c = await capped(backlog(db, hookId), 10_000);
    if (c === TIMEOUT) {
      progress(`${label} t=${((now() - t0) / 1000).toFixed(1)}s sample timed out (database starved)`);
      return;
    }
    const elu1 = performance.eventLoopUtilization();
    const s = {
      t: (now() - t0) / 1000,
      ...c,
      cpu: cpuSnap(),
      elu: performance.eventLoopUtilization(elu1, elu0).utilization,
    };
    elu0 = elu1;
    samples.push(s);
    const ingested = ingestedSoFar();
    progress(
      `${label} t=${s.t.toFixed(1)}s ingested=${ingested ?? "(posters report at the end)"} pending=${s.pending} done=${s.done} failed=${s.failed}`,
    );
  };
  let sampling = true;
  const sampler = (async () => {
    let due = t0 + SAMPLE_MS;
    while (sampling) {
      await sleep(Math.max(0, due - now()));
      if (!sampling) break;
      await sampleOnce().catch((e) => progress(`sample failed: ${(e as Error).message}`));
      due += SAMPLE_MS;
    }
  })();
  return {
    async stop() {
      sampling = false;
      await sampler;
      return samples;
    },
  };
}

/**
 * Waits until no delivery of the hook is pending, for at most DRAIN_CAP_S after the load ended:
 * how long it took (null: not drained) and how many were left (NaN: the query itself starved).
 */
export async function drain(
  db: Db,
  hookId: string,
  loadEnd: number,
): Promise<{ drainMs: number | null; drainLeft: number }> {
  const drainCap = loadEnd + DRAIN_CAP_S * 1000;
  for (;;) {
    const c = await capped(backlog(db, hookId), Math.max(1_000, drainCap - now()));
    if (c === TIMEOUT) return { drainMs: null, drainLeft: Number.NaN };
    if (c.pending === 0) return { drainMs: now() - loadEnd, drainLeft: 0 };
    if (now() > drainCap) return { drainMs: null, drainLeft: c.pending };
    await sleep(100);
  }
}
