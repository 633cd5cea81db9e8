// The service's own counters, read from its /metrics (the data dir is locked by the service, so the
// bench cannot query the database while it runs): events accepted, attempts recorded, and the
// database-wide gauge of due deliveries.

export interface Counters {
  /** Events accepted since the service started. */
  ingested: number;
  /** Delivery attempts recorded since the service started (any outcome). */
  attempts: number;
  /** Pending deliveries due now (claimed ones are not due: their lease moved them). */
  due: number;
}

/** The sum of every series of `name` in a Prometheus text exposition, optionally filtered by a label. */
function sumOf(text: string, name: string, label = ""): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name) || !line.includes(label)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== "{" && rest[0] !== " ") continue;
    total += Number(line.slice(line.lastIndexOf(" ") + 1)) || 0;
  }
  return total;
}

export async function readCounters(serviceUrl: string): Promise<Counters> {
  const res = await fetch(`${serviceUrl}/metrics`);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
  return {
    ingested: sumOf(text, "hookrun_events_ingested_total", 'outcome="accepted"'),
    attempts: sumOf(text, "hookrun_delivery_attempts_total"),
    due: sumOf(text, "hookrun_queue_due"),
  };
}
