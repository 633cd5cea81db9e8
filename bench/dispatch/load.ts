// The load generators: posters in the bench's process calling the app directly, or posters.ts in
// its own process over HTTP to the API processes (BENCH_API); both run schedule.ts's schedule.
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import type { BenchApp } from "./app";
import { trackRole } from "./cpu";
import { POSTERS } from "./options";
import type { PostersJob, PostersOut } from "./posters";
import { runSchedule, Tally, type TallyFigures } from "./schedule";
import { capped, now, TIMEOUT } from "./wait";

export interface Load {
  /** The ingest endpoint's path, and the ingest key for it. */
  path: string;
  key: string;
  rate: number;
  seconds: number;
  /** The most events the phase may post (its arrays' size). */
  capacity: number;
  /** When the schedule starts (performance.now). */
  t0: number;
}

export interface Posted extends TallyFigures {
  /** When the last call returned (performance.now). */
  loadEnd: number;
  /** Lets the posters process exit: after the caller's last CPU sample, so its CPU time is counted. */
  done(): void;
}

export interface Posting {
  /** Events ingested so far, or null where only the end result is known (the posters process). */
  ingestedSoFar(): number | null;
  result: Promise<Posted>;
}

/** Posters in this process, calling the bench's app through app.request (no sockets). */
export function postInProcess(bench: BenchApp, load: Load): Posting {
  const headers = { authorization: `Bearer ${load.key}`, "content-type": "application/json" };
  const tally = new Tally(load.capacity);
  let stopPosting = false;
  const posting = runSchedule({ ...load, posters: POSTERS, now, stopped: () => stopPosting }, (i, body) =>
    tally.record(i, now, async () => {
      const res = await bench.app.request(load.path, { method: "POST", headers, body });
      return { status: res.status, text: await res.text() };
    }),
  );
  const result = (async (): Promise<Posted> => {
    // Posts still unanswered 30 s after the end are abandoned (counted as not ingested).
    if ((await capped(posting, load.seconds * 1000 + 30_000)) === TIMEOUT) {
      stopPosting = true;
      tally.firstError ||= "ingest calls still unanswered 30 s after the load ended";
    }
    return { ...tally, loadEnd: now(), done: () => {} };
  })();
  return { ingestedSoFar: () => tally.ingested, result };
}

/**
 * Starts posters.ts in its own process and waits until it is ready for a job, so its start-up
 * (tsx compiling it, under whatever load the machine has) is not charged to the phase's schedule.
 */
export async function startPostersProcess(): Promise<ChildProcess> {
  const child = fork(join(import.meta.dirname, "posters.ts"), [], {
    // The child is TypeScript too: run it through tsx, as the bench itself is.
    execArgv: ["--import", import.meta.resolve("tsx")],
    serialization: "advanced",
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  trackRole(child, "posters");
  await reply(child, "ready");
  return child;
}

/** The posters process runs the schedule, round-robin over `urls`; its schedule starts at `load.t0`. */
export function postFromChild(child: ChildProcess, urls: string[], load: Load): Posting {
  const job: PostersJob = {
    urls,
    path: load.path,
    key: load.key,
    rate: load.rate,
    seconds: load.seconds,
    posters: POSTERS,
    capacity: load.capacity,
    t0Epoch: performance.timeOrigin + load.t0,
  };
  child.send(job);
  const result = reply(child, "the figures").then((m): Posted => {
    const out = m as PostersOut;
    return {
      ...out,
      started: out.started.map((s) => s - performance.timeOrigin),
      loadEnd: Math.min(now(), out.loadEndEpoch - performance.timeOrigin),
      done: () => child.disconnect(),
    };
  });
  return { ingestedSoFar: () => null, result };
}

/** The child's next message; fails if it exits first. */
function reply(child: ChildProcess, what: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const exited = (code: number | null) => reject(new Error(`posters exited with ${code} before ${what}`));
    child.once("exit", exited);
    child.once("message", (m) => {
      child.off("exit", exited);
      resolve(m);
    });
  });
}
