// Schemas shared by every route: the error envelope, ids, pagination, names.
import { z } from "@hono/zod-openapi";
import { isStorableInstant } from "../services/instant";

/** An ISO 8601 instant with an offset, that the database can store (a real date, years 0001-9999). */
export const Instant = z.iso
  .datetime({ offset: true })
  .refine(isStorableInstant, "must be a real date-time between the years 0001 and 9999");

/** Text the database can store: no U+0000 (PostgreSQL refuses it in text). */
export const StorableText = z.string().refine((v) => !v.includes("\u0000"), "must not contain U+0000");

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "validation_failed" }),
      message: z.string().openapi({ example: "the request body is not valid" }),
      details: z
        .array(
          z.object({
            path: z.string().optional(),
            message: z.string(),
            line: z.number().int().optional(),
            column: z.number().int().optional(),
          }),
        )
        .optional(),
      requestId: z.string(),
    }),
  })
  .openapi("Error");

/** An answer in the error envelope, for a route's own error statuses. */
export const errorResponse = (description: string) => ({
  content: { "application/json": { schema: ErrorSchema } },
  description,
});

/**
 * The failures any authenticated route can answer with, spread into each by `routesTagged`
 * (http/route.ts). 422 is among them: any request holding what the database cannot store (U+0000,
 * JSON nested too deep, a lone surrogate) is refused with it, whatever the route.
 */
export const errorResponses = {
  400: errorResponse("Malformed request or invalid body"),
  401: errorResponse("Missing or unknown API key"),
  403: errorResponse("The key's role or workspace does not allow this"),
  413: errorResponse("Request body too large"),
  415: errorResponse("The body is not application/json"),
  422: errorResponse("Well-formed but not acceptable"),
} as const;
/** Every workspace route has it (the workspace, or the resource in it); `routesTagged` adds it. */
export const notFoundError = { 404: errorResponse("Not found") } as const;
export const conflictError = { 409: errorResponse("Conflicts with an existing resource") } as const;

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});

/** A display name: trimmed, 1-100 characters, no control characters. */
export const Name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]+$/, "must not contain control characters");

export const Description = z.string().max(2000);

export const WorkspaceParam = z.object({
  ws: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "ws", in: "path" }, example: "ws_0123456789abcdefghjk" }),
});

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() });

export const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });
