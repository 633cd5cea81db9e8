// Protects invoke's group commit (dispatch/attempt-writer.ts): attempts submitted in one turn of the
// event loop are written in one statement (counted by their NOTIFYs, one per statement and
// workspace; the two-slot rule of services/group-commit.ts is tested through event-writer.test.ts), each caller gets its own committed attempt, and an attempt the database
// refuses fails alone, not the attempts written with it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttemptWriter, type NewAttempt } from "../../api/src/dispatch/attempt-writer";
import { ATTEMPTS_CHANNEL } from "../../api/src/queue";
import { callbackHook, startTestApi, type TestApi } from "../support/app";
import { eventually } from "../support/cached-app";
import { testDatabases } from "../support/db";

describe.each(testDatabases)("attempt writer on $name", (target) => {
  let api: TestApi;
  let ws: string;
  let hookId: string;
  let notifies = 0;
  let unlisten: () => Promise<void>;

  beforeAll(async () => {
    api = await startTestApi(target);
    const keys = await api.workspace("writer");
    ws = keys.ws;
    hookId = (
      await api.request("POST", `/v1/workspaces/${ws}/hooks`, { key: keys.admin, body: callbackHook() })
    ).body.id;
    unlisten = await api.listen(ATTEMPTS_CHANNEL, (payload) => {
      if (payload === ws) notifies++;
    });
  });
  afterAll(async () => {
    await unlisten();
    await api.close();
  });

  const attempt = (hook: string, n: number): NewAttempt => ({
    subject: {
      workspaceId: ws,
      hookId: hook,
      eventId: null,
      eventType: "t",
      deliveryId: null,
      attempt: n,
      trigger: "invoke",
    },
    record: { kind: "callback", outcome: "success", startedAt: new Date(), durationMs: n, result: { n } },
  });
  const stored = (ids: string[]) =>
    api.db
      .selectFrom("attempts")
      .select(["id", "attempt"])
      .where("id", "in", ids)
      .orderBy("attempt")
      .execute();
  /** The NOTIFYs counted so far, once no more arrive for a moment. */
  const settledNotifies = async () => {
    let seen = -1;
    while (seen !== notifies) {
      seen = notifies;
      await new Promise((r) => setTimeout(r, 150));
    }
    return seen;
  };

  it("writes ten attempts submitted in one turn in one statement, each answered with its own id", async () => {
    const writer = new AttemptWriter(api.db);
    const before = await settledNotifies();
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => writer.write(attempt(hookId, i + 1))));
    expect(new Set(ids).size).toBe(10);
    expect((await stored(ids)).map((r) => [r.id, r.attempt])).toEqual(ids.map((id, i) => [id, i + 1]));
    expect(await eventually(() => notifies - before >= 1)).toBe(true);
    expect((await settledNotifies()) - before).toBe(1);
  });

  it("fails only the attempt the database refuses, and writes the others of its group", async () => {
    const writer = new AttemptWriter(api.db);
    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5].map((n) => writer.write(attempt(n === 4 ? "hk_missing" : hookId, n))),
    );
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    const ids = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    expect((await stored(ids)).map((r) => r.attempt)).toEqual([1, 2, 3, 5]);
  });
});
