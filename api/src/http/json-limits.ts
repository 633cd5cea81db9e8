// JSON request bodies the service can handle to the end: nested at most MAX_JSON_DEPTH deep (the
// serialisers on the way to the database and back recurse: 10,000 levels overflowed the stack as
// a 500) and without lone surrogates (PostgreSQL's jsonb refuses them, again a 500). One check for
// every body, before any route sees it; a malformed body is left to the validators' 400.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./env";
import { ApiError } from "./errors";

export const MAX_JSON_DEPTH = 64;

export type JsonProblem = { path: string; message: string };

/** The first reason `value` cannot be stored as JSON, with its path; undefined when it can. */
export function jsonProblem(value: unknown): JsonProblem | undefined {
  const stack: [unknown, string, number][] = [[value, "", 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, path, depth] = next;
    if (typeof node === "string") {
      if (!node.isWellFormed())
        return { path, message: "holds a lone surrogate (invalid UTF-16), which cannot be stored" };
      continue;
    }
    if (typeof node !== "object" || node === null) continue;
    if (depth >= MAX_JSON_DEPTH) return { path, message: `is nested deeper than ${MAX_JSON_DEPTH} levels` };
    for (const [key, child] of Object.entries(node)) {
      const childPath = Array.isArray(node) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (!key.isWellFormed()) return { path, message: "holds a key with a lone surrogate (invalid UTF-16)" };
      stack.push([child, childPath, depth + 1]);
    }
  }
  return undefined;
}

const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

/** Refuses (422, naming the path) a JSON body nested too deep or holding a lone surrogate. */
export function jsonLimits() {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (
      !WITH_BODY.has(c.req.method) ||
      !/^application\/(.+\+)?json/i.test(c.req.header("content-type") ?? "")
    ) {
      return next();
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return next();
    }
    const problem = jsonProblem(body);
    if (problem) {
      const where = problem.path || "the body";
      throw new ApiError(422, "unprocessable", `${where} ${problem.message}`, [problem]);
    }
    return next();
  });
}
