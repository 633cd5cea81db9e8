// /v1/workspaces/{ws}/logs: the execution log (one record per attempt) and its live tail. Operators
// read these; ingest keys cannot.
import { z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { Db } from "../db/connect";
import { ApiError, unwrap } from "../http/errors";
import { routesTagged } from "../http/route";
import { createRouter } from "../http/router";
import { json, pageOf, WorkspaceParam } from "../schemas/common";
import {
  LogIdParam,
  LogListQuery,
  LogRecord,
  LogStreamHeaders,
  LogStreamQuery,
  LogSummary,
} from "../schemas/logs";
import { AttemptsHub, type Listen } from "../services/log-hub";
import { currentPosition, DEFAULT_TAIL_OPTIONS, runTail, type TailOptions } from "../services/log-tail";
import { getLog, type LogFilter, listLogs } from "../services/logs";
import { decodeCursor, type Position } from "../services/pagination";

export interface LogRouteDeps {
  db: Db;
  listen: Listen;
  /** Tests pass their own hub (to watch its subscribers) and shorter intervals. */
  tail?: { hub?: AttemptsHub; options?: Partial<TailOptions> };
  log?: (message: string, error: unknown) => void;
}

const route = routesTagged("logs");
const toDate = (value: string | undefined) => (value ? new Date(value) : undefined);

function filterOf(q: z.infer<typeof LogStreamQuery> | z.infer<typeof LogListQuery>): LogFilter {
  return {
    hookId: q.hookId,
    kind: q.kind,
    outcome: q.outcome,
    status: q.status,
    eventType: q.eventType,
    eventId: q.eventId,
    since: toDate(q.since),
    until: toDate(q.until),
  };
}

export function logRoutes(deps: LogRouteDeps) {
  const log = deps.log ?? ((message, error) => console.error(message, error));
  // One per process (one app per process): every tail shares its LISTEN.
  const hub = deps.tail?.hub ?? new AttemptsHub(deps.listen, log);
  const options = { ...DEFAULT_TAIL_OPTIONS, ...deps.tail?.options };

  return createRouter()
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/logs",
        roles: ["admin", "operator"],
        portal: true,
        summary: "List execution log records (attempts), newest first",
        request: { params: WorkspaceParam, query: LogListQuery },
        responses: { 200: json(pageOf(LogSummary), "A page of log records") },
      }),
      async (c) => {
        const q = c.req.valid("query");
        const filter = { ...filterOf(q), limit: q.limit, cursor: q.cursor };
        return c.json(unwrap(await listLogs(deps.db, c.req.valid("param").ws, filter)), 200);
      },
    )
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/logs/stream",
        roles: ["admin", "operator"],
        portal: true,
        summary: "Live tail of the execution log (Server-Sent Events), with the list's filters",
        description:
          "Each new attempt is an `attempt` event whose data is a LogSummary and whose id resumes the " +
          "tail (`Last-Event-ID`, or `?after=`). Without either, only attempts from now on are sent. " +
          "A comment line is sent as a heartbeat when the tail is quiet.",
        request: { params: WorkspaceParam, query: LogStreamQuery, headers: LogStreamHeaders },
        responses: {
          200: { content: { "text/event-stream": { schema: z.string() } }, description: "The event stream" },
        },
      }),
      async (c) => {
        const q = c.req.valid("query");
        const resumeFrom = c.req.valid("header")["last-event-id"] ?? q.after;
        const from = await startPosition(deps.db, resumeFrom);
        const tail = { workspaceId: c.req.valid("param").ws, filter: filterOf(q), from };
        const stillAllowed = c.get("stillAuthenticated");
        return streamSSE(
          c,
          async (stream) => {
            const abort = new AbortController();
            stream.onAbort(() => abort.abort());
            const sink = {
              send: (id: string, summary: unknown) =>
                stream.writeSSE({ event: "attempt", id, data: JSON.stringify(summary) }),
              heartbeat: () => stream.write(": heartbeat\n\n").then(() => undefined),
            };
            await runTail({ db: deps.db, hub, options }, tail, sink, abort.signal, stillAllowed);
          },
          async (error) => log("log tail", error),
        );
      },
    )
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/logs/{id}",
        roles: ["admin", "operator"],
        portal: true,
        summary:
          "One log record in full: request and response for callbacks; result, console lines and error for functions",
        request: { params: LogIdParam },
        responses: { 200: json(LogRecord, "The log record") },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await getLog(deps.db, ws, id)), 200);
      },
    );
}

/** A resume cursor, or the database's now (a tail without one sends nothing old). */
async function startPosition(db: Db, cursor: string | undefined): Promise<Position> {
  if (cursor === undefined) return currentPosition(db);
  const position = decodeCursor(cursor, "Last-Event-ID");
  if (!("id" in position)) throw new ApiError(422, "unprocessable", "invalid resume position", [position]);
  return position;
}
