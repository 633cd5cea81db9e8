// The workers' wake-up payload: the hosts that new deliveries go to, so a worker that already has a
// full round of work for each of them need not look for more (which would mean scanning past all of
// it). An empty payload means "any host".
import { targetHost } from "./host";

/** NOTIFY payloads are capped at 8,000 bytes; a group naming more hosts than fit says "any host". */
const MAX_PAYLOAD = 4_000;

/** The payload for new deliveries to these targets: their hosts, space-separated. */
export function wakePayload(targets: Iterable<string>): string {
  const payload = [...new Set([...targets].map(targetHost))].join(" ");
  return payload.length > MAX_PAYLOAD ? "" : payload;
}

/** The hosts a wake-up names, or null for "any host". */
export function wakeHosts(payload: string): string[] | null {
  return payload === "" ? null : payload.split(" ");
}
