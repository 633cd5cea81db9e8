// The bench's load generator in its own process (load.ts forks it when BENCH_API is set), so the
// figures measure the service and not the bench's own posting. It says "ready", takes one job, runs
// the shared schedule round-robin over the API processes' URLs, and sends back its tally. Times are
// epoch milliseconds (performance.timeOrigin + performance.now()), which the parent converts to its
// own clock.
import http from "node:http";
import { performance } from "node:perf_hooks";
import { runSchedule, Tally, type TallyFigures } from "./schedule";

/** The job the parent sends. */
export interface PostersJob {
  urls: string[];
  path: string;
  key: string;
  rate: number;
  seconds: number;
  posters: number;
  capacity: number;
  t0Epoch: number;
}

/** What this process sends back (over advanced serialization: the typed array and NaN survive). */
export interface PostersOut extends TallyFigures {
  loadEndEpoch: number;
}

// node:http with a keep-alive agent: the cheapest client Node has, so the load generator takes as
// little as it can of the cores the service under test shares (fetch costs ~20x more CPU here).
const agent = new http.Agent({ keepAlive: true });

function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(url, {
      method: "POST",
      agent,
      headers: { ...headers, "content-length": Buffer.byteLength(body) },
      timeout: Math.max(1, Math.ceil(timeoutMs)),
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.end(body);
  });
}

const epochNow = () => performance.timeOrigin + performance.now();

process.once("message", async (message) => {
  const job = message as PostersJob;
  const tally = new Tally(job.capacity);
  const headers = { authorization: `Bearer ${job.key}`, "content-type": "application/json" };
  // Posts still unanswered 30 s after the end are abandoned (counted as not ingested).
  const abandonAt = job.t0Epoch + job.seconds * 1000 + 30_000;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, job.t0Epoch - epochNow())));
  await runSchedule({ ...job, t0: job.t0Epoch, now: epochNow }, (i, body) =>
    tally.record(i, epochNow, () =>
      post(`${job.urls[i % job.urls.length]}${job.path}`, headers, body, abandonAt - epochNow()),
    ),
  );
  // Stays until the parent disconnects, so the parent's CPU accounting still sees this process.
  process.once("disconnect", () => process.exit(0));
  const out: PostersOut = { ...tally, loadEndEpoch: epochNow() };
  process.send?.(out);
});
// Loaded and listening: the parent starts the phase's clock now.
process.send?.("ready");
