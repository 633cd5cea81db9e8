// The circuit breaker per callback URL (per hook and URL), as the record step writes it: a batch's
// attempts add to each URL's streak of failures or end it, and the URL's state steps as
// breaker-rule.ts decides (closed -> open at the threshold, a failed probe reopens with a doubled
// cool-down, an answer closes). Written in the record transaction, so whoever sees the attempts sees
// the state they led to. Closing releases the URL's parked deliveries at once and wakes the workers;
// every change of state announces the workspace, so the hook view's cache drops it. The gate that
// parks deliveries is breaker-gate.ts, the timer that lets probes go is breaker-probes.ts.
import { sql } from "kysely";
import type { Db } from "../db/connect";
import type { CallbackHook, Hook } from "../db/hook";
import type { CircuitState } from "../db/schema";
import type { Metrics } from "../observability/metrics";
import { changeCatalog, wakePayload, wakeWorkersCall } from "../queue";
import { circuitOpened, type OperationalEvent, urlRecovered } from "../services/operational-events";
import { lineKey, lineSeen } from "./breaker-gate";
import {
  type BreakerSignal,
  breakerSignal,
  type LineTally,
  stepCircuit,
  type TransitionKind,
  tallyLine,
} from "./breaker-rule";
import type { Attempted } from "./next-step";
import { subjectOf } from "./operational";

export interface BreakerDeps {
  /** The first cool-down after a URL opens (DEFAULT_COOLDOWN_MS unless a test shortens it). */
  cooldownMs: number;
  metrics?: Metrics | undefined;
}

/** A URL that opened or recovered, for the metrics and the operational events. */
export interface BreakerTransition {
  hook: Hook;
  url: string;
  /** The attempt that opened the URL (its last failure) or closed it (its answer). */
  by: Attempted;
  /** Consecutive failures when it opened. */
  failures: number;
  kind: TransitionKind;
  at: Date;
}

/** A URL whose stored state the batch changes: it failed, or it answered and has a row to reset. */
export interface LineWrite {
  hook: CallbackHook;
  url: string;
  tally: LineTally;
  lastFailure: Attempted | null;
  lastAlive: Attempted | null;
}

/**
 * The URLs the batch's callback attempts change, in order of hook and URL. A URL the gate saw
 * without a row (it never failed) is left out when it only answered: a batch of successes to healthy
 * URLs writes nothing here.
 */
export function breakerWrites(attempted: Attempted[]): LineWrite[] {
  const lines = new Map<string, LineWrite & { signals: BreakerSignal[] }>();
  for (const a of attempted) {
    if (a.hook.kind !== "callback") continue;
    const signal = breakerSignal(a.record);
    if (signal === "none") continue;
    const key = lineKey(a.hook.id, a.delivery.target);
    let line = lines.get(key);
    if (!line) {
      line = {
        hook: a.hook,
        url: a.delivery.target,
        signals: [],
        tally: { alive: false, failures: 0 },
        lastFailure: null,
        lastAlive: null,
      };
      lines.set(key, line);
    }
    line.signals.push(signal);
    if (signal === "failure") line.lastFailure = a;
    else line.lastAlive = a;
  }
  const writes: LineWrite[] = [];
  for (const { signals, ...line } of lines.values()) {
    const tally = tallyLine(signals);
    if (tally.failures === 0 && !needsReset(line)) continue;
    writes.push({ ...line, tally });
  }
  return writes.sort((a, b) => compare(a.hook.id, b.hook.id) || compare(a.url, b.url));
}

/** An answer resets a URL that has a row with a streak or a state; unseen (no gate ran), assume it has. */
function needsReset(line: Pick<LineWrite, "lastAlive">): boolean {
  if (!line.lastAlive) return false;
  const seen = lineSeen(line.lastAlive.delivery);
  return seen === undefined || (seen !== null && (seen.failures > 0 || seen.state !== "closed"));
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface StoredLine {
  hook_id: string;
  url: string;
  failures: number;
  state: CircuitState;
  cooldown_ms: number;
}

/**
 * Writes the lines' new states in the caller's transaction and returns the transitions. The rows are
 * created if missing and locked in one statement (hook and URL order, so two workers' transactions
 * wait for each other rather than deadlock), stepped here, and written back in one more.
 */
export async function writeBreaker(
  db: Db,
  lines: LineWrite[],
  deps: BreakerDeps,
): Promise<BreakerTransition[]> {
  if (lines.length === 0) return [];
  const hookIds = lines.map((l) => l.hook.id);
  const urls = lines.map((l) => l.url);
  const { rows } = await sql<StoredLine>`
    insert into url_states (hook_id, url, failures, state, cooldown_ms)
    select hook_id, url, 0, 'closed', ${deps.cooldownMs}::int
    from unnest(${hookIds}::text[], ${urls}::text[]) as v(hook_id, url)
    order by hook_id, url
    on conflict (hook_id, url) do update set failures = url_states.failures
    returning hook_id, url, failures, state, cooldown_ms`.execute(db);
  const stored = new Map(rows.map((r) => [lineKey(r.hook_id, r.url), r]));
  const changed: { line: LineWrite; step: ReturnType<typeof stepCircuit> }[] = [];
  for (const line of lines) {
    const row = stored.get(lineKey(line.hook.id, line.url));
    if (!row) continue;
    const current = { state: row.state, failures: row.failures, cooldownMs: row.cooldown_ms };
    const step = stepCircuit(current, line.tally, line.hook.breaker_failures, deps.cooldownMs);
    const same =
      step.state === current.state &&
      step.failures === current.failures &&
      step.cooldownMs === current.cooldownMs &&
      !step.began;
    if (!same) changed.push({ line, step });
  }
  if (changed.length === 0) return [];
  const column = <T>(pick: (c: (typeof changed)[number]) => T) => changed.map(pick);
  const { rows: written } = await sql<{ hook_id: string; url: string; since: Date | null }>`
    update url_states as s set
      failures = v.failures,
      state = v.state,
      cooldown_ms = v.cooldown_ms,
      since = case when v.began then now() else s.since end,
      next_probe_at = case
        when v.state <> 'open' then null
        when v.began then now() + v.cooldown_ms * interval '1 millisecond'
        else s.next_probe_at end,
      probe_delivery_id = case when v.began then null else s.probe_delivery_id end
    from unnest(
      ${column((c) => c.line.hook.id)}::text[], ${column((c) => c.line.url)}::text[],
      ${column((c) => c.step.failures)}::int[], ${column((c) => c.step.state)}::text[],
      ${column((c) => c.step.cooldownMs)}::int[], ${column((c) => c.step.began)}::bool[])
      as v(hook_id, url, failures, state, cooldown_ms, began)
    where s.hook_id = v.hook_id and s.url = v.url
    returning s.hook_id, s.url, s.since`.execute(db);
  const since = new Map(written.map((w) => [lineKey(w.hook_id, w.url), w.since]));
  const closed = changed.filter((c) => c.step.transitions.includes("recovered")).map((c) => c.line);
  await releaseParked(db, closed);
  await announce(
    db,
    changed.filter((c) => c.step.began).map((c) => c.line.hook.workspace_id),
  );
  return changed.flatMap(({ line, step }) =>
    step.transitions.flatMap((kind) => {
      const by = kind === "opened" ? line.lastFailure : line.lastAlive;
      if (!by) return [];
      const at = since.get(lineKey(line.hook.id, line.url)) ?? new Date();
      return [{ hook: line.hook, url: line.url, by, failures: step.failures, kind, at }];
    }),
  );
}

/** A closed URL's parked deliveries are due at once; the workers hear of them on commit. */
async function releaseParked(db: Db, lines: LineWrite[]): Promise<void> {
  if (lines.length === 0) return;
  await sql`
    with released as (
      update deliveries as d set next_attempt_at = now(), waiting = null, updated_at = now()
      from unnest(${lines.map((l) => l.hook.id)}::text[], ${lines.map((l) => l.url)}::text[]) as v(hook_id, url)
      where d.hook_id = v.hook_id and d.target = v.url and d.status = 'pending' and d.waiting = 'circuit_open'
      returning d.id
    )
    select (select count(*) from released) as released, ${wakeWorkersCall(wakePayload(lines.map((l) => l.url)))}`.execute(
    db,
  );
}

/** Each workspace whose hook view changed is announced (on commit), so caches drop it. */
async function announce(db: Db, workspaceIds: string[]): Promise<void> {
  for (const workspaceId of [...new Set(workspaceIds)].sort())
    await changeCatalog({ db }, workspaceId, async () => undefined);
}

/**
 * What follows a URL opening or recovering, in the record transaction: the opens metric, and the
 * operational events (hookrun.url.circuit_opened, hookrun.url.recovered) record.ts writes with it.
 */
export function breakerEvents(transitions: BreakerTransition[], deps: BreakerDeps): OperationalEvent[] {
  return transitions.map((t) => {
    if (t.kind === "opened") {
      deps.metrics?.circuitOpens.inc();
      const reason = `${t.failures} consecutive failures, the last ${t.by.record.outcome}`;
      return circuitOpened(subjectOf(t.by), reason);
    }
    return urlRecovered(subjectOf(t.by));
  });
}
