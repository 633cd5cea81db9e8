// One way to make a resource router: validation failures become the error envelope.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { z } from "zod";
import type { AppEnv } from "./env";
import { ApiError } from "./errors";

export function issuesToDetails(issues: z.core.$ZodIssue[]) {
  return issues.slice(0, 50).map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}

export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const where = result.target === "json" ? "body" : result.target;
        throw new ApiError(
          400,
          "validation_failed",
          `the request ${where} is not valid`,
          issuesToDetails(result.error.issues),
        );
      }
    },
  });
}
