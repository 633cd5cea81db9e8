// The raw loop: Node's built-in fetch (undici, keep-alive), 64 in flight, to the same receiver as
// the callbacks, for the ceiling a delivery path on this machine could reach.
import { cpuLine, cpuSnap } from "./cpu";
import { pct } from "./figures";
import { now } from "./wait";

export interface RawResult {
  perSec: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  cpu: string;
}

export async function rawLoop(receiverUrl: string, seconds: number): Promise<RawResult> {
  const body = JSON.stringify({
    id: "evt_0123456789abcdef",
    type: "verification",
    timestamp: new Date().toISOString(),
    workspace: "ws_0123456789abcdef",
    data: { seq: -1, bench: "dispatch" },
  });
  const lat: number[] = [];
  let errors = 0;
  const cpu0 = cpuSnap();
  const t0 = now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (now() < end) {
        const t = now();
        try {
          const res = await fetch(`${receiverUrl}/raw`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
          });
          await res.arrayBuffer();
          lat.push(now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (now() - t0) / 1000;
  return {
    perSec: lat.length / elapsed,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    requests: lat.length,
    errors,
    cpu: cpuLine(cpu0, cpuSnap()),
  };
}
