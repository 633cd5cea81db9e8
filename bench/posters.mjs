// The bench's load generator in its own process (bench/dispatch.ts forks it when BENCH_API is set),
// so the figures measure the service and not the bench's own posting. Event i is due at
// t0 + i / rate; posters take events in order and round-robin over the API processes' URLs; a
// poster behind schedule posts at once. Times are sent back as epoch milliseconds
// (performance.timeOrigin + performance.now()), which the parent converts to its own clock.
import http from "node:http";
import { performance } from "node:perf_hooks";

// node:http with a keep-alive agent: the cheapest client Node has, so the load generator takes as
// little as it can of the cores the service under test shares (fetch costs ~20x more CPU here).
const agent = new http.Agent({ keepAlive: true });

function post(url, headers, body, timeoutMs) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: "POST",
      agent,
      headers: { ...headers, "content-length": Buffer.byteLength(body) },
      timeout: Math.max(1, Math.ceil(timeoutMs)),
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString("utf8") }));
    });
    req.end(body);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const epochNow = () => performance.timeOrigin + performance.now();

process.once("message", async (job) => {
  const { urls, path, key, rate, seconds, posters, capacity, t0Epoch } = job;
  const started = new Array(capacity).fill(null);
  const callMs = [];
  let next = 0;
  let ingested = 0;
  let ingestErrors = 0;
  let firstError = "";
  const end = t0Epoch + seconds * 1000;
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const abandonAt = end + 30_000;
  await sleep(Math.max(0, t0Epoch - epochNow()));
  await Promise.all(
    Array.from({ length: posters }, async () => {
      for (;;) {
        const i = next++;
        const due = t0Epoch + (i * 1000) / rate;
        if (due >= end || i >= capacity) return;
        const wait = due - epochNow();
        if (wait > 1) await sleep(wait);
        if (epochNow() >= end) return;
        const body = JSON.stringify({ type: "verification", data: { seq: i, bench: "dispatch" } });
        const t = epochNow();
        started[i] = t;
        try {
          const res = await post(`${urls[i % urls.length]}${path}`, headers, body, abandonAt - t);
          if (res.status === 202) ingested++;
          else {
            ingestErrors++;
            started[i] = null;
            firstError ||= `${res.status} ${res.text.slice(0, 200)}`;
          }
        } catch (error) {
          ingestErrors++;
          started[i] = null;
          firstError ||= String(error);
        }
        callMs.push(epochNow() - t);
      }
    }),
  );
  // Stays until the parent disconnects, so the parent's CPU accounting still sees this process.
  process.once("disconnect", () => process.exit(0));
  process.send({ started, callMs, ingested, ingestErrors, firstError, loadEndEpoch: epochNow() });
});
