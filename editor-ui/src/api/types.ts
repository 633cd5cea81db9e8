// The resources as the UI sees them: each type is read off the typed client, so it always matches
// what the service answers.
import type { Client, OkBody } from "./client";

type Ws = Client["v1"]["workspaces"][":ws"];
type Answer<F extends (...args: never[]) => unknown> = OkBody<Awaited<ReturnType<F>>>;

export type Hook = Answer<Ws["hooks"][":id"]["$get"]>;
export type CallbackHook = Extract<Hook, { kind: "callback" }>;
export type FunctionHook = Extract<Hook, { kind: "function" }>;
export type HookList = Answer<Ws["hooks"]["$get"]>;
export type EventType = Answer<Ws["event-types"][":name"]["$get"]>;
export type FunctionVersion = Answer<Ws["hooks"][":id"]["versions"]["$get"]>["data"][number];
export type RunResult = Answer<Ws["hooks"][":id"]["test"]["$post"]>;
export type LogPage = Answer<Ws["logs"]["$get"]>;
export type LogSummary = LogPage["data"][number];
export type LogRecord = Answer<Ws["logs"][":id"]["$get"]>;
export type HookStats = Answer<Ws["hooks"][":id"]["stats"]["$get"]>;
export type ApiKeyList = Answer<Ws["keys"]["$get"]>;
export type CreatedApiKey = Answer<Ws["keys"]["$post"]>;
export type Activity = Answer<Ws["hooks"][":id"]["activity"]["$get"]>;
export type ActivityBucket = Activity["buckets"][number];
export type WorkspaceActivity = Answer<Ws["activity"]["$get"]>;
export type FailingHook = WorkspaceActivity["failingHooks"][number];
export type HookSparklines = Answer<Ws["activity"]["hooks"]["$get"]>;
export type HookSparkline = HookSparklines["hooks"][number];
