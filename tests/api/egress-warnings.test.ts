// Protects what a callback URL the egress guard refuses costs: the hook is saved (the allow-list may
// change) but its answers carry a warning naming HOOKRUN_EGRESS_ALLOW, on both databases; and a
// delivery the guard refuses twice in a row fails instead of retrying for a day. Nothing connects:
// the guard refuses literal private and metadata addresses before any socket opens.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AttemptRecord } from "../../api/src/dispatch/attempt";
import { nextStep } from "../../api/src/dispatch/next-step";
import { egressWarnings } from "../../runtime/src/index";
import {
  callbackHook,
  makeDue,
  startTestApi,
  type TestApi,
  testWorker,
  type WorkspaceKeys,
} from "../support/app";
import { testDatabases } from "../support/db";

const attempt = (outcome: string): AttemptRecord => ({
  kind: "callback",
  outcome,
  startedAt: new Date(),
  durationMs: 1,
});

describe("egressWarnings", () => {
  it("names each literal address the guard refuses, and nothing else", () => {
    const warnings = egressWarnings(
      [
        "http://10.0.0.5/x",
        "http://127.0.0.1:9/x",
        "http://[fd00:ec2::254]/",
        "https://example.com/",
        "http://localhost:1/",
      ],
      { allow: ["127.0.0.1/32"] },
    );
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /^http:\/\/10\.0\.0\.5\/x: 10\.0\.0\.5 is a private address.*HOOKRUN_EGRESS_ALLOW/,
    );
    expect(warnings[1]).toMatch(/fd00:ec2::254 is a metadata address/);
  });
});

describe("the retry rule for the guard's refusals", () => {
  it("retries a first refusal on the schedule, and fails a second in a row", () => {
    expect(nextStep(attempt("blocked"), 1, 8, null, () => 0.5)).toEqual({ status: "pending", delayMs: 5000 });
    expect(nextStep(attempt("blocked"), 2, 8, "blocked")).toEqual({ status: "failed", delayMs: 0 });
    expect(nextStep(attempt("blocked"), 2, 8, "timeout", () => 0.5).status).toBe("pending");
    expect(nextStep(attempt("timeout"), 2, 8, "blocked", () => 0.5).status).toBe("pending");
  });
});

describe.each(testDatabases)("callback URLs the egress guard refuses, on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;
  const hooks = () => `/v1/workspaces/${acme.ws}/hooks`;

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
  });
  afterAll(() => api.close());

  it("saves the hook and warns, naming HOOKRUN_EGRESS_ALLOW, on create, read and update", async () => {
    const created = await api.request("POST", hooks(), {
      key: acme.admin,
      body: callbackHook({ urls: ["http://10.0.0.5/hook", "http://127.0.0.1:9/hook"] }),
    });
    expect(created.status).toBe(201);
    expect(created.body.warnings).toEqual([expect.stringContaining("HOOKRUN_EGRESS_ALLOW")]);
    const read = await api.request("GET", `${hooks()}/${created.body.id}`, { key: acme.operator });
    expect(read.body.warnings).toEqual(created.body.warnings);
    const patched = await api.request("PATCH", `${hooks()}/${created.body.id}`, {
      key: acme.admin,
      body: { urls: ["http://169.254.169.254/latest/meta-data"] },
    });
    expect(patched.body.warnings).toEqual([expect.stringMatching(/metadata address/)]);
    const clean = await api.request("PATCH", `${hooks()}/${created.body.id}`, {
      key: acme.admin,
      body: { urls: ["http://127.0.0.1:9/hook"] },
    });
    expect(clean.body.warnings).toEqual([]);
  });

  it("fails a delivery the guard refuses twice in a row instead of retrying for a day", async () => {
    const hook = await api.request("POST", hooks(), {
      key: acme.admin,
      body: callbackHook({ urls: ["http://10.0.0.5/hook"] }),
    });
    const worker = testWorker(api);
    await worker.start();
    try {
      const posted = await api.request("POST", `/v1/workspaces/${acme.ws}/events`, {
        key: acme.ingest,
        body: { type: "verification", data: {} },
      });
      // The other test's hook subscribes too: this hook's delivery, by its hook.
      const { id } = await api.db
        .selectFrom("deliveries")
        .select("id")
        .where("event_id", "=", posted.body.id)
        .where("hook_id", "=", hook.body.id)
        .executeTakeFirstOrThrow();
      const row = () =>
        api.db.selectFrom("deliveries").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      await expect.poll(async () => (await row()).attempts).toBe(1);
      expect(await row()).toMatchObject({ status: "pending", last_outcome: "blocked" });
      // Time passes: the retry is due.
      await makeDue(api.db, id);
      worker.poke();
      await expect.poll(async () => (await row()).status).toBe("failed");
      expect((await row()).attempts).toBe(2);
    } finally {
      await worker.stop();
      await api.request("DELETE", `${hooks()}/${hook.body.id}`, { key: acme.admin });
    }
  });
});
