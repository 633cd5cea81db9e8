// Protects ingest's group commit (api/src/services/event-writer.ts) on both databases. Posts read in
// one turn of the event loop each arrive in a callback of their own, as HTTP requests do; on PGlite a
// statement runs synchronously inside that callback's microtasks, so a writer that started at once
// wrote one event per statement and, at 500 posts/s, the statements' CPU starved the dispatch worker
// on the same thread (issue 16). Here: such posts share ONE statement; a turn's worth beyond a
// statement's bound is split and the rest follows; and the writer never has more than two statements
// queued, so a claim issued meanwhile waits behind at most those two, however deep ingest's queue.
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  RootOperationNode,
} from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../api/src/db/connect";
import { claimDueWithEvents } from "../../api/src/queue";
import { EventWriter, type NewEvent } from "../../api/src/services/event-writer";
import { type OpenedTestDatabase, testDatabases } from "../support/db";
import { insertWorkspaceAndHook } from "../support/hook-rows";

/** Counts the writer's statements (those inserting events) as they are issued. */
class GroupCounter implements KyselyPlugin {
  issued = 0;

  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    if (node.kind === "RawNode" && node.sqlFragments.join("").includes("insert into events")) this.issued++;
    return node;
  }

  async transformResult({ result }: PluginTransformResultArgs) {
    return result;
  }
}

let seq = 0;
function newEvent(withDelivery: boolean): NewEvent {
  const id = `evt_w${++seq}`;
  return {
    id,
    workspaceId: "ws_1",
    type: "order.created",
    data: JSON.stringify({ n: seq }),
    context: null,
    idempotencyKey: null,
    deliveries: withDelivery
      ? [{ id: `dlv_w${seq}`, hookId: "hk_1", target: "https://a.example.com/", inLine: false }]
      : [],
    filteredHooks: [],
  };
}

/** `n` writes, each from its own setImmediate callback: all in one turn, each with its own microtasks. */
function writeFromSeparateCallbacks(writer: EventWriter, events: NewEvent[]) {
  return Promise.all(
    events.map((event) => new Promise((resolve) => setImmediate(resolve)).then(() => writer.write(event))),
  );
}

describe.each(testDatabases)("ingest's group commit on $name", (target) => {
  let opened: OpenedTestDatabase;
  let counter: GroupCounter;
  let db: Db;
  let writer: EventWriter;

  beforeAll(async () => {
    opened = await target.open();
    await insertWorkspaceAndHook(opened.db, "order.created");
  });
  afterAll(async () => {
    await opened.close();
  });

  const fresh = () => {
    counter = new GroupCounter();
    db = opened.db.withPlugin(counter);
    writer = new EventWriter(db);
  };

  it("writes posts read in one turn, each in its own callback, in one statement", async () => {
    fresh();
    const events = Array.from({ length: 50 }, () => newEvent(true));
    const outcomes = await writeFromSeparateCallbacks(writer, events);
    expect(counter.issued).toBe(1);
    expect(outcomes.every((o) => o.written && o.deliveries.length === 1)).toBe(true);
    const stored = await opened.db
      .selectFrom("deliveries")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where(
        "event_id",
        "in",
        events.map((e) => e.id),
      )
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(50);
  });

  it("writes a lone post on its own, in one statement", async () => {
    fresh();
    const outcome = await writer.write(newEvent(true));
    expect(outcome.written).toBe(true);
    expect(counter.issued).toBe(1);
  });

  it("splits a turn's worth beyond a statement's bound (500 events) and writes the rest next", async () => {
    fresh();
    const outcomes = await Promise.all(Array.from({ length: 1_200 }, () => writer.write(newEvent(false))));
    expect(outcomes.every((o) => o.written)).toBe(true);
    // 500 and 500 at once (two writers), the last 200 as soon as one of them is done.
    expect(counter.issued).toBe(3);
  });

  it("yields the connection after two statements: a claim issued meanwhile waits behind those two only", async () => {
    fresh();
    // Six full groups' worth, queued in one turn.
    const writes = Array.from({ length: 3_000 }, () => writer.write(newEvent(false)));
    const groupsDone: number[] = [];
    for (const [i, w] of writes.entries()) if (i % 500 === 499) void w.then(() => groupsDone.push(i));
    // Issued once the writer has started (its turn has come: its setImmediate was scheduled first).
    const claimed = new Promise((resolve) => setImmediate(resolve)).then(async () => {
      const issuedBefore = counter.issued;
      await claimDueWithEvents(opened.db, "wrk_writer_test", 10, 60_000);
      return { issuedBefore, doneBefore: groupsDone.length };
    });
    const [{ issuedBefore, doneBefore }] = await Promise.all([claimed, Promise.all(writes)]);
    // Both databases: two statements out, so PostgreSQL's pool keeps connections for the claim.
    expect(issuedBefore).toBe(2);
    // PGlite's one connection runs statements in order: the claim came right after those two.
    if (target.name === "pglite") expect(doneBefore).toBeLessThanOrEqual(2);
    expect(counter.issued).toBe(6);
  });
});
