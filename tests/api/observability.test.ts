// Protects what operators watch: the Prometheus metrics (ingest, deliveries by kind and outcome,
// attempt durations, queue depth, sandbox pool) and the structured logs, which carry request ids
// and never a secret.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callbackHook, startTestApi, type TestApi, testWorker, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";
import { startReceiver } from "../support/receiver";

const metricValue = (text: string, name: string, labels = "") => {
  const line = text
    .split("\n")
    .find((l) => l.startsWith(`${name}${labels} `) || (labels === "" && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.split(" ").pop());
};

describe.each(testDatabases)("metrics and logs on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
  });
  afterAll(() => api.close());

  it("exports queue depth before delivery and delivery outcomes after, in Prometheus text", async () => {
    const receiver = await startReceiver();
    try {
      await api.request("POST", `/v1/workspaces/${acme.ws}/hooks`, {
        key: acme.admin,
        body: callbackHook({ urls: [`${receiver.url}/m`] }),
      });
      for (let i = 0; i < 3; i++) {
        await api.request("POST", `/v1/workspaces/${acme.ws}/events`, {
          key: acme.ingest,
          body: { type: "verification", data: {} },
        });
      }
      const before = await api.request("GET", "/metrics");
      expect(before.status).toBe(200);
      expect(before.headers.get("content-type")).toContain("text/plain");
      expect(metricValue(before.body, "hookrun_queue_due")).toBe(3);
      expect(metricValue(before.body, "hookrun_queue_oldest_due_age_seconds")).toBeGreaterThanOrEqual(0);
      expect(metricValue(before.body, "hookrun_events_ingested_total", '{outcome="accepted"}')).toBe(3);

      const worker = testWorker(api);
      await worker.start();
      await receiver.waitFor(3);
      await worker.stop();

      const after = (await api.request("GET", "/metrics")).body as string;
      expect(metricValue(after, "hookrun_queue_due")).toBe(0);
      expect(
        metricValue(after, "hookrun_delivery_attempts_total", '{kind="callback",outcome="success"}'),
      ).toBe(3);
      expect(metricValue(after, "hookrun_attempt_duration_seconds_count", '{kind="callback"}')).toBe(3);
      for (const name of [
        "hookrun_executors",
        "hookrun_executor_restarts_total",
        "hookrun_isolates",
        "hookrun_isolate_limit_hits_total",
      ]) {
        expect(metricValue(after, name)).toEqual(expect.any(Number));
      }
      expect(after).toMatch(
        /hookrun_http_request_duration_seconds_count\{method="POST",route="\/v1\/workspaces\/:ws\/events",status="202"\} 3/,
      );
    } finally {
      await receiver.close();
    }
  });

  it("logs each request as JSON with its request id, and no key or secret anywhere", async () => {
    api.logLines.length = 0;
    const res = await api.request("POST", `/v1/workspaces/${acme.ws}/hooks`, {
      key: acme.admin,
      headers: { "x-request-id": "trace-logs-1" },
      body: callbackHook({
        headers: { "x-api-key": "very-secret-header-value" },
        signing: { scheme: "standard-webhooks", secret: "whsec_c2VjcmV0LXNpZ25pbmcta2V5LTEy" },
      }),
    });
    expect(res.status).toBe(201);
    const lines = api.logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const access = lines.find((l) => l.requestId === "trace-logs-1");
    expect(access).toMatchObject({
      msg: "request",
      method: "POST",
      route: "/v1/workspaces/:ws/hooks",
      status: 201,
    });
    const all = api.logLines.join("\n");
    for (const secret of [acme.admin, "very-secret-header-value", "whsec_c2VjcmV0LXNpZ25pbmcta2V5LTEy"]) {
      expect(all).not.toContain(secret);
    }
  });
});
