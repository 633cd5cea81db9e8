// One phase of the embedded bench: a workspace and hook made through the service's API, RATE events/s
// posted over HTTP by bench/dispatch's posters process, the service's counters and CPU sampled every
// SAMPLE_MS, then a wait until every event's attempt is recorded. Completion times come later
// (report.ts): a callback's from the receiver, a function's from the data dir once the service stops.
import type { ChildProcess } from "node:child_process";
import { progress } from "../dispatch/figures";
import { type Posted, postFromChild, startPostersProcess } from "../dispatch/load";
import { DRAIN_CAP_S } from "../dispatch/options";
import { capped, now, sleep, TIMEOUT } from "../dispatch/wait";
import { type CpuSnap, cpuSnap } from "../http/proc-cpu";
import type { Service } from "../http/service";
import { postForField } from "../http/setup";
import { type Counters, readCounters } from "./metrics";
import { RATE, SAMPLE_MS } from "./options";

export type PhaseKind = "callback" | "function";

const HOOKS = {
  callback: (receiverUrl: string) => ({
    kind: "callback",
    name: "bench-embedded-callback",
    events: ["verification"],
    urls: [`${receiverUrl}/hook`],
  }),
  function: () => ({
    kind: "function",
    name: "bench-embedded-function",
    events: ["verification"],
    source: "export default (e) => ({ ok: true, id: e.id })",
  }),
};

export interface Sample extends Counters {
  /** Seconds after the load started. */
  t: number;
  /** The service's (and its executors') CPU so far. */
  cpu: CpuSnap;
}

export interface PhaseRun {
  what: PhaseKind;
  hookId: string;
  seconds: number;
  posted: Posted;
  /** The schedule's start and the sustained window's bounds (performance.now). */
  t0: number;
  windowStart: number;
  loadEnd: number;
  /** The service's counters when the phase began: samples count from them. */
  base: Counters;
  samples: Sample[];
  /** ms after the load until every ingested event had an attempt; null: not within the cap. */
  drainMs: number | null;
  /** CPU seconds over the load: the service, its executors, the posters process. */
  cpu: { service: number; executors: number; posters: number };
}

/** A workspace with an ingest key and the phase's hook; the ingest key and the hook's id. */
async function setUp(service: Service, what: PhaseKind, receiverUrl: string) {
  const field = (name: string, path: string, key: string, body: unknown) =>
    postForField(service, name, path, key, body);
  const ws = await field("id", "/v1/workspaces", service.rootKey, { name: `bench-embedded-${what}` });
  const key = (role: string) =>
    field("key", `/v1/workspaces/${ws}/keys`, service.rootKey, { name: role, role });
  const admin = await key("admin");
  const hookId = await field("id", `/v1/workspaces/${ws}/hooks`, admin, HOOKS[what](receiverUrl));
  return { ws, ingest: await key("ingest"), hookId };
}

function startSampler(service: Service, t0: number) {
  const samples: Sample[] = [];
  let sampling = true;
  const loop = (async () => {
    for (let due = t0 + SAMPLE_MS; sampling; due += SAMPLE_MS) {
      await sleep(Math.max(0, due - now()));
      if (!sampling) break;
      const c = await capped(readCounters(service.url), SAMPLE_MS).catch((e: Error) => e);
      if (c === TIMEOUT || c instanceof Error) {
        const why = c === TIMEOUT ? `did not answer in ${SAMPLE_MS} ms` : c.message;
        progress(`t=${((now() - t0) / 1000).toFixed(0)} s: /metrics ${why}`);
        continue;
      }
      samples.push({ t: (now() - t0) / 1000, ...c, cpu: cpuSnap(service.pid) });
      progress(
        `t=${samples.at(-1)!.t.toFixed(0)} s ingested ${c.ingested} attempts ${c.attempts} due ${c.due}`,
      );
    }
  })();
  return {
    async stop() {
      sampling = false;
      await loop;
      return samples;
    },
  };
}

/** Waits until the service has recorded an attempt for each of the phase's `ingested` events. */
async function drain(service: Service, base: Counters, ingested: number, loadEnd: number) {
  while (now() < loadEnd + DRAIN_CAP_S * 1000) {
    const c = await capped(readCounters(service.url), 5_000);
    if (c !== TIMEOUT && c.attempts - base.attempts >= ingested) return now() - loadEnd;
    await sleep(250);
  }
  return null;
}

const posterCpu = (child: ChildProcess) => (child.pid ? cpuSnap(child.pid).service : 0);

export async function runPhase(
  service: Service,
  what: PhaseKind,
  seconds: number,
  receiverUrl: string,
): Promise<PhaseRun> {
  progress(`${what}: creating the workspace and hook`);
  const { ws, ingest, hookId } = await setUp(service, what, receiverUrl);
  const base = await readCounters(service.url);
  const capacity = Math.ceil(RATE * seconds) + 16;
  const posters = await startPostersProcess();
  // The posters' schedule begins half a second after the job is sent: time for it to arrive.
  const t0 = now() + 500;
  const load = { path: `/v1/workspaces/${ws}/events`, key: ingest, rate: RATE, seconds, capacity, t0 };
  progress(`${what}: ${RATE} events/s for ${seconds} s`);
  const cpu0 = { ...cpuSnap(service.pid), posters: posterCpu(posters) };
  const posting = postFromChild(posters, [service.url], load);
  const sampler = startSampler(service, t0);
  const posted = await posting.result;
  const cpu1 = { ...cpuSnap(service.pid), posters: posterCpu(posters) };
  posted.done();
  const drainMs = await drain(service, base, posted.ingested, posted.loadEnd);
  const samples = await sampler.stop();
  return {
    what,
    hookId,
    seconds,
    posted,
    t0,
    // The first 5 s (or 20% of a short run) is warm-up.
    windowStart: t0 + Math.min(5_000, seconds * 200),
    loadEnd: posted.loadEnd,
    base,
    samples,
    drainMs,
    cpu: {
      service: cpu1.service - cpu0.service,
      executors: cpu1.executors - cpu0.executors,
      posters: cpu1.posters - cpu0.posters,
    },
  };
}
