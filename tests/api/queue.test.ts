// Protects the queue's contract (api/src/queue): a delivery's host as the worker counts it
// (targetHost, TypeScript) and as the claim skips it (hookrun_claim_due, SQL prefixes) agree on every
// kind of URL, ports, IPv6, credentials and upper case included, on both databases; and a wake-up
// payload names exactly the hosts of its deliveries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimDueWithEvents, releaseLease, targetHost, wakeHosts, wakePayload } from "../../api/src/queue";
import { CallbackUrl } from "../../api/src/schemas/hooks";
import { type OpenedTestDatabase, testDatabases } from "../support/db";
import { insertWorkspaceAndHook } from "../support/hook-rows";

/** As a user might write them; each is stored the way the API stores a hook's URL (canonical). */
const URLS = [
  "https://receiver.example.com/hooks",
  "http://receiver.example.com/other",
  "https://receiver.example.com:8443/a",
  "https://receiver.example.com:443/default-port",
  "http://receiver.example.com:80/default-port",
  "HTTPS://Receiver.Example.COM/Upper/Case",
  "http://[::1]:8080/v6",
  "http://[2001:DB8:0:0::1]/v6-upper",
  "http://127.0.0.1:9/loopback",
  "https://other.example.com/hooks",
  "https://receiver.example.com.evil.test/lookalike",
  "https://user:secret@receiver.example.com/credentials",
];
const TARGETS = [...URLS.map((url) => new URL(url).href), "function"];

describe("targetHost", () => {
  it("is the URL's host for every URL a hook may hold (credentials are refused)", () => {
    for (const url of URLS) {
      const canonical = new URL(url);
      if (canonical.username) {
        expect(CallbackUrl.safeParse(url).success).toBe(false);
        continue;
      }
      expect(CallbackUrl.parse(url)).toBe(canonical.href);
      expect(targetHost(canonical.href)).toBe(canonical.host);
    }
    expect(targetHost("https://receiver.example.com:8443/a")).toBe("receiver.example.com:8443");
    expect(targetHost("http://[::1]:8080/v6")).toBe("[::1]:8080");
    expect(targetHost("function")).toBe("function");
  });
});

describe("the wake-up payload", () => {
  it("names each host of the new deliveries once", () => {
    const payload = wakePayload(["https://a.example.com/1", "https://a.example.com/2", "function"]);
    expect(wakeHosts(payload)).toEqual(["a.example.com", "function"]);
  });

  it("says 'any host' when there are too many hosts to name", () => {
    const targets = Array.from({ length: 500 }, (_, i) => `https://host-${i}.example.com/`);
    expect(wakePayload(targets)).toBe("");
    expect(wakeHosts("")).toBeNull();
  });
});

describe.each(testDatabases)("the claim's idea of a host on $name", (target) => {
  let opened: OpenedTestDatabase;
  const ids = TARGETS.map((_, i) => `dlv_${i}`);

  beforeAll(async () => {
    opened = await target.open();
    const { db } = opened;
    await insertWorkspaceAndHook(db, "t");
    await db
      .insertInto("events")
      .values({ id: "evt_1", workspace_id: "ws_1", type: "t", data: JSON.stringify({}) })
      .execute();
    await db
      .insertInto("deliveries")
      .values(
        TARGETS.map((t, i) => ({
          id: ids[i]!,
          workspace_id: "ws_1",
          event_id: "evt_1",
          hook_id: "hk_1",
          target: t,
          status: "pending" as const,
        })),
      )
      .execute();
  });
  afterAll(async () => {
    await opened.close();
  });

  it.each(TARGETS)(
    "skips, for the busy host of %s, exactly the targets targetHost gives that host",
    async (busy) => {
      const host = targetHost(busy);
      const claimed = (await claimDueWithEvents(opened.db, "wrk_test", 100, 60_000, [host])).map(
        (c) => c.delivery,
      );
      const expected = TARGETS.filter((t) => targetHost(t) !== host).sort();
      expect(claimed.map((d) => d.target).sort()).toEqual(expected);
      await releaseLease(
        opened.db,
        "wrk_test",
        claimed.map((d) => d.id),
      );
    },
  );

  it("hands released deliveries back, due for any worker", async () => {
    const claimed = (await claimDueWithEvents(opened.db, "wrk_test", 100, 60_000)).map((c) => c.delivery);
    expect(claimed.map((d) => d.id).sort()).toEqual([...ids].sort());
    await releaseLease(
      opened.db,
      "wrk_test",
      claimed.map((d) => d.id),
    );
    expect(await claimDueWithEvents(opened.db, "wrk_other", 100, 60_000)).toHaveLength(ids.length);
  });
});
