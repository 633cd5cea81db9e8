// Database round trips per request: the app as `serve` builds it (bench/dispatch's, with the key and
// catalog cache), in this process on a counted database, sent each target's request in turn. The
// first request of each kind fills the caches and is not counted: the figures are the steady state.
import { migrateToLatest } from "../../api/src/db/migrate";
import { startBenchApp } from "../dispatch/app";
import { openCountedDatabase } from "./counted-db";
import { ROUND_TRIP_REQUESTS } from "./options";
import { HOOKS } from "./setup";
import { serviceTargets } from "./targets";

export interface RoundTrips {
  name: string;
  /** Statements per request, BEGIN and COMMIT included. */
  perRequest: number;
  /** The statements of the last request, in order. */
  last: string[];
}

export async function countRoundTrips(url: string | null): Promise<RoundTrips[]> {
  const counted = await openCountedDatabase(url);
  try {
    await migrateToLatest(counted.db);
    const bench = await startBenchApp(counted.db, counted.opened);
    try {
      const { ws, admin } = await bench.workspace("bench-http");
      const fixture = {
        ws,
        admin,
        callbackHook: await bench.createHook(ws, admin, HOOKS.callback),
        functionHook: await bench.createHook(ws, admin, HOOKS.function),
      };
      // The setup's own announcements (new hooks) reach the cache by NOTIFY a moment later; let them
      // land first, so a late one does not count as a steady-state read.
      await new Promise((resolve) => setTimeout(resolve, 250));
      const out: RoundTrips[] = [];
      for (const target of serviceTargets("http://localhost", fixture)) {
        const send = async () => {
          const res = await bench.app.request(target.url, {
            method: target.method,
            headers: {
              ...(target.key ? { authorization: `Bearer ${target.key}` } : {}),
              "content-type": "application/json",
            },
            ...(target.body === undefined ? {} : { body: JSON.stringify(target.body) }),
          });
          if (!res.ok) throw new Error(`${target.name} answered ${res.status}: ${await res.text()}`);
          await res.arrayBuffer();
        };
        await send();
        counted.take();
        let total = 0;
        let last: string[] = [];
        for (let i = 0; i < ROUND_TRIP_REQUESTS; i++) {
          await send();
          last = counted.take();
          total += last.length;
        }
        out.push({ name: target.name, perRequest: total / ROUND_TRIP_REQUESTS, last });
      }
      return out;
    } finally {
      await bench.close();
    }
  } finally {
    await counted.close();
  }
}
