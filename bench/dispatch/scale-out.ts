// The scale-out comparison (BENCH_SCALE_OUT=1): the callback phase on PostgreSQL with one, then two
// `hookrun worker` processes, and their ratio. On a 2-core machine a CPU-bound comparison measures
// the cores, not the workers (one worker, the API, PostgreSQL and the posters already fill them), so
// delivery is made latency-bound instead: the receiver answers after SCALE_DELAY_MS and each worker
// may hold SCALE_CONCURRENCY in flight, so one worker delivers at most SCALE_CONCURRENCY /
// SCALE_DELAY_MS, a small share of what the receiver (idle while it waits) and the database could
// take. What two workers add over one is then the workers' own doing: claims that do not collide,
// leases, heartbeats.
import { progress } from "./figures";
import { type RunSettings, SCALE_CONCURRENCY, SCALE_DELAY_MS, SCALE_RATE, SCALE_SECONDS } from "./options";
import { withPostgres } from "./postgres";
import { startBenchReceiver } from "./receiver";
import { benchDatabase } from "./run-database";
import { scaleOutTarget } from "./targets";

export async function scaleOut(): Promise<void> {
  const perWorker = (SCALE_CONCURRENCY * 1000) / SCALE_DELAY_MS;
  console.log(
    `scale-out: receiver answers after ${SCALE_DELAY_MS} ms; each worker holds at most ${SCALE_CONCURRENCY} in flight ` +
      `(at most ${perWorker.toFixed(0)} deliveries/s each); callbacks posted at ${SCALE_RATE.toFixed(0)}/s`,
  );
  const results = [];
  for (const workers of [1, 2]) {
    const { receiver, arrivals } = await startBenchReceiver(SCALE_DELAY_MS);
    const settings: RunSettings = {
      mode: "process",
      workers,
      workerLimits: { concurrency: SCALE_CONCURRENCY, perHost: SCALE_CONCURRENCY },
      phases: ["callback"],
      rates: { callback: SCALE_RATE, function: SCALE_RATE },
      seconds: SCALE_SECONDS,
    };
    try {
      progress(`scale-out: ${workers} worker process(es)`);
      const [result] =
        (await withPostgres(`scale-out ${workers}`, (opened, url) =>
          benchDatabase("postgres", opened, url, receiver, arrivals, null, settings),
        )) ?? [];
      results.push(result);
    } finally {
      await receiver.close();
    }
  }
  const [one, two] = results;
  console.log(one && two ? scaleOutTarget(one, two) : "[target scale-out] missed (a run failed; see above)");
}
