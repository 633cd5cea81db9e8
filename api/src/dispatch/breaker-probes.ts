// The circuit breaker's clock, run by every worker about once a second in ONE statement that reads
// only the few URLs that are not closed (a partial index) when there is nothing to do:
// - an open URL whose cool-down is over turns half-open, and its earliest parked delivery is
//   released as the probe (none parked: the next delivery to come takes the probe, breaker-gate.ts);
// - a half-open URL whose probe is lost (that delivery finished or is gone without an attempt, e.g.
//   canceled) takes its next parked delivery as the probe; a leased probe whose worker died is not
//   lost: its lease comes back by itself and the gate lets it go again;
// - a delivery parked while its URL was closing (its gate read the URL open, its record came after
//   the close released the others) is released: that is looked for among URLs closed in the last
//   minutes only.
// Rows are taken with SKIP LOCKED, so any number of workers may run it at once.
import { sql } from "kysely";
import type { Db } from "../db/connect";
import { announceCatalogChangeCall, wakeWorkersCall } from "../queue";

/** How often each worker runs the probe statement (WorkerOptions.breakerCheckMs overrides it). */
export const BREAKER_CHECK_MS = 1_000;

/** How long after a URL closes a delivery parked by a stale gate is still looked for. */
const STRANDED_WINDOW = "5 minutes";

export interface ProbeRound {
  /** URLs that took a probe (or lost one) this round. */
  probing: number;
  /** Deliveries released: probes, and any parked while their URL closed. */
  released: number;
}

export async function probeCircuits(db: Db): Promise<ProbeRound> {
  const { rows } = await sql<{ probing: number; released: number }>`
    with needing as (
      select s.hook_id, s.url, s.state as was from url_states s
      where s.state <> 'closed' and (
        (s.state = 'open' and s.next_probe_at <= now())
        or (s.state = 'half_open' and s.probe_delivery_id is not null and not exists (
          select 1 from deliveries p where p.id = s.probe_delivery_id and p.status = 'pending'))
        or (s.state = 'half_open' and s.probe_delivery_id is null and exists (
          select 1 from deliveries p where p.hook_id = s.hook_id and p.target = s.url
            and p.status = 'pending' and p.waiting = 'circuit_open')))
      for update skip locked
    ),
    probe as (
      select distinct on (n.hook_id, n.url) n.hook_id, n.url, d.id
      from needing n join deliveries d on d.hook_id = n.hook_id and d.target = n.url
      where d.status = 'pending' and d.waiting = 'circuit_open'
      order by n.hook_id, n.url, d.created_at, d.id
    ),
    moved as (
      update url_states as s set
        state = 'half_open',
        since = case when n.was = 'open' then now() else s.since end,
        next_probe_at = null,
        probe_delivery_id = p.id
      from needing n left join probe p on p.hook_id = n.hook_id and p.url = n.url
      where s.hook_id = n.hook_id and s.url = n.url
      returning s.hook_id, s.probe_delivery_id, n.was
    ),
    probes as (
      update deliveries as d set next_attempt_at = now(), waiting = null, updated_at = now()
      from moved m
      where d.id = m.probe_delivery_id and d.status = 'pending' and d.waiting = 'circuit_open'
      returning d.id
    ),
    stranded as (
      update deliveries as d set next_attempt_at = now(), waiting = null, updated_at = now()
      from url_states s
      where s.state = 'closed' and s.since > now() - interval '${sql.raw(STRANDED_WINDOW)}'
        and d.hook_id = s.hook_id and d.target = s.url
        and d.status = 'pending' and d.waiting = 'circuit_open' and d.lease_owner is null
      returning d.id
    ),
    -- Open to half-open changes what the hook view shows: its workspace's caches drop it.
    announced as (
      select ${announceCatalogChangeCall(sql.ref("workspace_id"))}
      from (select distinct h.workspace_id from moved m join hooks h on h.id = m.hook_id
        where m.was = 'open') as w
    ),
    woken as (
      select ${wakeWorkersCall("")}
      where exists (select 1 from probes) or exists (select 1 from stranded)
    )
    select (select count(*) from moved)::int as probing,
      ((select count(*) from probes) + (select count(*) from stranded))::int as released,
      (select count(*) from announced) as announced, (select count(*) from woken) as woken`.execute(db);
  return { probing: rows[0]?.probing ?? 0, released: rows[0]?.released ?? 0 };
}
