// The types shared by the runtime (parent) and its executor children, including the IPC messages.
// Messages travel in batches (arrays) with Node's "advanced" (structured clone) serialization, so
// strings and byte arrays cross without JSON re-encoding.
import type { EgressErrorCode } from "../egress";
import type { Limits } from "./limits";

export type RunStatus = "ok" | "error" | "timeout" | "cpu_limit" | "memory_limit" | "crashed";

export type LogLine = { level: string; message: string; time: string };

export type RunError = { name: string; message: string; stack?: string };

export type RunOutcome = {
  status: RunStatus;
  /** The JSON value returned by the function; absent when it returned nothing or was truncated. */
  result?: unknown;
  /** True when the JSON result exceeded the cap and was dropped. */
  resultTruncated?: boolean;
  logs: LogLine[];
  logsTruncated: boolean;
  error?: RunError;
  wallMs: number;
  cpuMs: number;
  heapBytes: number;
  fetchCount: number;
};

export type RunContext = {
  secrets: Record<string, string>;
  hook: { id: string; name: string };
  attempt: number;
  deliveryId: string;
};

/** What fetch inside the isolate asks the parent to send (the body is copied, capped bytes). */
export type FetchRequest = {
  url: string;
  method: string;
  headers: [string, string][];
  body?: Uint8Array;
  redirect: "follow" | "manual" | "error";
};

export type FetchReply =
  | {
      ok: true;
      status: number;
      statusText: string;
      headers: [string, string][];
      body: Uint8Array;
      url: string;
      redirected: boolean;
    }
  | { ok: false; code: EgressErrorCode | "too_many_fetches"; message: string };

/** The executor's answer for one invocation; the parent adds fetchCount and parses the result. */
export type ExecutorOutcome = Omit<RunOutcome, "result" | "fetchCount"> & {
  resultJson?: string;
  /** Heap the isolate occupies (total heap + external memory), for the pool's memory bound. */
  footprintBytes: number;
  /** The isolate was thrown away (limit hit, left work behind, or crashed). */
  discarded: boolean;
};

export type ToExecutor =
  | {
      t: "run";
      id: number;
      key: string;
      /** Present when the executor does not hold this version yet. */
      load?: { code: string; sourceMap: string };
      eventJson: string;
      ctxJson: string;
      limits: Limits;
    }
  | { t: "evict"; key: string }
  | { t: "fetched"; fid: number; reply: FetchReply };

export type FromExecutor =
  | { t: "ready" }
  | { t: "done"; id: number; outcome: ExecutorOutcome }
  /** The executor lacked the code for a run (e.g. evicted meanwhile); the parent resends it. */
  | { t: "missing"; id: number }
  | { t: "fetch"; id: number; fid: number; req: FetchRequest; timeoutMs: number }
  | { t: "alive" };
