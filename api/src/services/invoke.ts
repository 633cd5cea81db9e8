// Running a hook by hand: invoke (the live function, synchronously, logged like any execution) and
// test (the draft or a given source, or one real callback request; answered in full, never retried).
import { createHash } from "node:crypto";
import { compileFunction, type EgressOptions, type FunctionRuntime } from "@hookrun/runtime";
import type { Hook } from "../db/hook";
import type { AttemptRecord } from "../dispatch/attempt";
import type { AttemptWriter } from "../dispatch/attempt-writer";
import { type EventLike, toEnvelope } from "../dispatch/envelope";
import { runCallback } from "../dispatch/run-callback";
import { runFunction } from "../dispatch/run-function";
import { newId } from "../ids";
import { isPattern } from "../schemas/hook-rules";
import type { RunResultValue, SampleEventInput, TestInput } from "../schemas/invoke";
import type { Store } from "./context";
import { readHook } from "./hooks";
import { operationalType } from "./operational-types";
import { failure, type Result, success } from "./result";
import { versionCode } from "./version-code";

export interface RunnerDeps extends Store {
  runtime: FunctionRuntime;
  egress: EgressOptions;
  /** Invoke's attempts, group-committed with others finishing at the same time. */
  attempts: AttemptWriter;
}

export async function invokeHook(
  deps: RunnerDeps,
  workspaceId: string,
  id: string,
  input: SampleEventInput,
): Promise<Result<RunResultValue>> {
  const hook = await readHook(deps, workspaceId, id);
  if (!hook) return failure("not_found", `hook ${id} not found`);
  if (hook.kind !== "function")
    return failure("invalid", "only function hooks can be invoked; use /test for a callback");
  if (hook.live_version === null)
    return failure("invalid", "the function has no live version; deploy it first");
  const version = await versionCode(deps.db, hook.id, hook.live_version);
  const event = await sampleEvent(deps, hook, input);
  const deliveryId = newId("dlv");
  const record = await runFunction(
    deps.box,
    deps.runtime,
    hook,
    { versionKey: version.id, code: version.code, sourceMap: version.source_map },
    { event: toEnvelope(event), attempt: 1, deliveryId },
  );
  const attemptId = await deps.attempts.write({
    subject: {
      workspaceId,
      hookId: hook.id,
      eventId: null,
      eventType: event.type,
      deliveryId: null,
      attempt: 1,
      trigger: "invoke",
    },
    record,
  });
  // Committed: this process's next GET of the hook shows it (others' caches hear the NOTIFY).
  deps.cache?.dropHealth(workspaceId);
  return success(present(record, event, attemptId));
}

export async function testHook(
  deps: RunnerDeps,
  workspaceId: string,
  id: string,
  input: TestInput,
): Promise<Result<RunResultValue>> {
  const hook = await readHook(deps, workspaceId, id);
  if (!hook) return failure("not_found", `hook ${id} not found`);
  const event = await sampleEvent(deps, hook, input);
  const envelope = toEnvelope(event);
  const deliveryId = newId("dlv");
  if (hook.kind === "callback") {
    if (input.source !== undefined) return failure("invalid", "`source` applies to function hooks only");
    const url = input.url ?? hook.urls[0];
    if (!url || !hook.urls.includes(url)) return failure("invalid", "`url` must be one of the hook's URLs");
    return success(
      present(await runCallback(deps.box, deps.egress, hook, { url, deliveryId, envelope }), event, null),
    );
  }
  if (input.url !== undefined) return failure("invalid", "`url` applies to callback hooks only");
  const compiled = await compileFunction(input.source ?? hook.source);
  if (!compiled.ok) return failure("invalid", "the function does not compile", compiled.diagnostics);
  // Keyed by the code itself: re-testing unchanged code reuses a warm isolate.
  const versionKey = `test:${createHash("sha256").update(compiled.code).digest("hex")}`;
  const fn = { versionKey, code: compiled.code, sourceMap: compiled.sourceMap };
  return success(
    present(
      await runFunction(deps.box, deps.runtime, hook, fn, { event: envelope, attempt: 1, deliveryId }),
      event,
      null,
    ),
  );
}

/** The event a manual run receives: what the caller gave, else the event type's example. */
async function sampleEvent(store: Store, hook: Hook, input: SampleEventInput): Promise<EventLike> {
  const type = input.type ?? hook.events.find((e) => !isPattern(e)) ?? "verification";
  const example =
    input.data === undefined
      ? (operationalType(type) ??
        (await store.db
          .selectFrom("event_types")
          .select("example")
          .where("workspace_id", "=", hook.workspace_id)
          .where("name", "=", type)
          .executeTakeFirst()))
      : undefined;
  return {
    id: newId("evt"),
    type,
    workspace_id: hook.workspace_id,
    data: input.data ?? example?.example ?? {},
    context: input.context ?? null,
    created_at: new Date(),
  };
}

function present(record: AttemptRecord, event: EventLike, attemptId: string | null): RunResultValue {
  return {
    outcome: record.outcome,
    durationMs: record.durationMs,
    event: toEnvelope(event),
    request: record.request ?? null,
    response: record.response ?? null,
    result: record.result ?? null,
    logs: record.logs ?? null,
    error: record.error ?? null,
    cpuMs: record.cpuMs ?? null,
    heapBytes: record.heapBytes ?? null,
    attemptId,
  };
}
