// The load generator's process: autocannon against one target, first untimed (warm-up), then
// timed. Forked by load.ts and run by node directly (Node 24 strips the types). It lives in its own
// process so that it does not share an event loop with the service or the bench: autocannon is
// itself JavaScript, and on one loop its sending and parsing would queue behind the service's work
// (and vice versa), measuring the two together instead of the service.
import autocannon from "autocannon";

/** What load.ts sends: the request and the load's shape. */
export interface LoadRequest {
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  connections: number;
  warmupSeconds: number;
  seconds: number;
}

/** What it answers: "timed" as the timed run starts, then the figures. */
export type LoadMessage =
  | { kind: "timed" }
  | {
      kind: "done";
      /** 2xx answers per second over the timed run. */
      rps: number;
      ok: number;
      p50: number;
      p99: number;
      /** Connection errors and timeouts, and answers other than 2xx. */
      errors: number;
      non2xx: number;
      seconds: number;
    };

const run = (request: LoadRequest, seconds: number) =>
  autocannon({
    url: request.url,
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    connections: request.connections,
    duration: seconds,
  });

process.once("message", async (request: LoadRequest) => {
  const send = (message: LoadMessage) =>
    new Promise<void>((resolve) => process.send?.(message, () => resolve()));
  if (request.warmupSeconds > 0) await run(request, request.warmupSeconds);
  await send({ kind: "timed" });
  const r = await run(request, request.seconds);
  await send({
    kind: "done",
    rps: r["2xx"] / r.duration,
    ok: r["2xx"],
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
    seconds: r.duration,
  });
  process.disconnect();
});
