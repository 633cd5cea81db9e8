// Protects what a claimed batch carries into delivery (api/src/dispatch/batch.ts): the claim's own
// statement reads each delivery's event, and an event that statement could not see (committed after
// it began, while the claim function's later snapshot saw its delivery) is read again rather than
// taken for gone, which would cancel a delivery that must be attempted. Both databases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBatch } from "../../api/src/dispatch/batch";
import { claimDueWithEvents } from "../../api/src/queue";
import { callbackHook, startTestApi, type TestApi, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";

describe.each(testDatabases)("a claimed batch on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
    const hook = callbackHook({ urls: ["http://127.0.0.1:9/batch"] });
    expect(
      (await api.request("POST", `/v1/workspaces/${acme.ws}/hooks`, { key: acme.admin, body: hook })).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await api.close();
  });

  it("carries each delivery's event from the claim, and reads again one the claim did not see", async () => {
    for (const n of [1, 2]) {
      const res = await api.request("POST", `/v1/workspaces/${acme.ws}/events`, {
        key: acme.ingest,
        body: { type: "verification", data: { n } },
      });
      expect(res.status).toBe(202);
    }
    const claimed = await claimDueWithEvents(api.db, "wrk_batch", 10, 60_000);
    expect(claimed).toHaveLength(2);
    const [seen, unseen] = claimed as [(typeof claimed)[0], (typeof claimed)[0]];
    expect(seen.event?.data).toEqual({ n: expect.any(Number) });
    // As the claim returns a delivery whose event committed after its statement's snapshot.
    const batch = await loadBatch(api.db, [seen, { ...unseen, event: null }]);
    expect(batch.events.get(unseen.delivery.event_id)).toEqual(unseen.event);
    expect(batch.events.get(seen.delivery.event_id)).toEqual(seen.event);
    expect([...batch.hooks.keys()]).toEqual([seen.delivery.hook_id]);
  });
});
