// Protects retention: expired attempts, finished events and long-expired portal sessions are pruned
// in bounded batches, while
// anything recent, and any event whose delivery is still pending, is kept whatever its age; and the
// busy tables can be vacuumed where nothing else does it (PGlite has no autovacuum).

import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSY_TABLES, vacuumBusyTables } from "../../api/src/maintenance/vacuum";
import { pruneExpired } from "../../api/src/services/retention";
import { callbackHook, startTestApi, type TestApi, type WorkspaceKeys } from "../support/app";
import { testDatabases } from "../support/db";

describe.each(testDatabases)("retention on $name", (target) => {
  let api: TestApi;
  let acme: WorkspaceKeys;

  beforeAll(async () => {
    api = await startTestApi(target);
    acme = await api.workspace("acme");
  });
  afterAll(() => api.close());

  async function seed(ageDays: number, count: number, status: "succeeded" | "pending") {
    const hook = await api.request("POST", `/v1/workspaces/${acme.ws}/hooks`, {
      key: acme.admin,
      body: callbackHook(),
    });
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const posted = await api.request("POST", `/v1/workspaces/${acme.ws}/events`, {
        key: acme.ingest,
        body: { type: "verification", data: { i } },
      });
      ids.push(posted.body.id);
    }
    await api.request("DELETE", `/v1/workspaces/${acme.ws}/hooks/${hook.body.id}`, { key: acme.admin });
    const at = new Date(Date.now() - ageDays * 86_400_000);
    await api.db.updateTable("events").set({ created_at: at }).where("id", "in", ids).execute();
    await api.db.updateTable("deliveries").set({ status }).where("event_id", "in", ids).execute();
    await api.db
      .insertInto("attempts")
      .values(
        ids.map((eventId, i) => ({
          id: `att_${ageDays}_${status}_${i}`,
          workspace_id: acme.ws,
          event_id: eventId,
          hook_id: hook.body.id,
          kind: "callback" as const,
          trigger: "delivery" as const,
          event_type: "verification",
          attempt: 1,
          outcome: "success",
          started_at: new Date(),
          duration_ms: 1,
          created_at: at,
        })),
      )
      .execute();
    return ids;
  }

  it("deletes what expired, batch by batch, and keeps the recent and the pending", async () => {
    const expired = await seed(40, 25, "succeeded");
    const pendingButOld = await seed(40, 3, "pending");
    const recent = await seed(2, 5, "succeeded");

    const result = await pruneExpired(api.db, { retentionDays: 30, batchSize: 10, pauseMs: 0 });
    expect(result.attempts).toBe(28);
    expect(result.events).toBe(25);
    // 28 attempts in batches of 10 take 3 statements, 25 events take 3, no portal session and no
    // filtered count 1 each: bounded, never one big delete.
    expect(result.batches).toBe(8);

    const events = await api.db.selectFrom("events").select("id").execute();
    const left = new Set(events.map((e) => e.id));
    for (const id of expired) expect(left.has(id)).toBe(false);
    for (const id of [...pendingButOld, ...recent]) expect(left.has(id)).toBe(true);
    const pending = await api.db
      .selectFrom("deliveries")
      .select("id")
      .where("event_id", "in", pendingButOld)
      .execute();
    expect(pending).toHaveLength(3);
    const attempts = await api.db.selectFrom("attempts").select("id").execute();
    expect(attempts.map((a) => a.id).sort()).toEqual(recent.map((_, i) => `att_2_succeeded_${i}`).sort());

    expect(await pruneExpired(api.db, { retentionDays: 30, batchSize: 10, pauseMs: 0 })).toEqual({
      attempts: 0,
      events: 0,
      portalSessions: 0,
      filterCounts: 0,
      batches: 4,
    });
  });

  it("deletes portal sessions expired longer ago than the retention period, and keeps the rest", async () => {
    const session = (id: string, expiredDaysAgo: number) => ({
      id,
      workspace_id: acme.ws,
      role: "operator" as const,
      theme: JSON.stringify({}),
      token_hash: `token_${id}`,
      expires_at: new Date(Date.now() - expiredDaysAgo * 86_400_000),
    });
    await api.db
      .insertInto("portal_sessions")
      .values([session("ps_old", 31), session("ps_recent", 29), session("ps_live", -1)])
      .execute();
    const result = await pruneExpired(api.db, { retentionDays: 30, batchSize: 10, pauseMs: 0 });
    expect(result.portalSessions).toBe(1);
    const left = await api.db.selectFrom("portal_sessions").select("id").orderBy("id").execute();
    expect(left.map((r) => r.id)).toEqual(["ps_live", "ps_recent"]);
  });

  it("vacuums and analyzes the busy tables", async () => {
    await vacuumBusyTables(api.db);
    const { rows } = await sql<{ relname: string; vacuumed: boolean; analyzed: boolean }>`
      select relname, last_vacuum is not null as vacuumed, last_analyze is not null as analyzed
      from pg_stat_user_tables where relname = any(${[...BUSY_TABLES]}::text[]) order by relname`.execute(
      api.db,
    );
    expect(rows).toEqual(
      [...BUSY_TABLES].sort().map((relname) => ({ relname, vacuumed: true, analyzed: true })),
    );
  });
});
