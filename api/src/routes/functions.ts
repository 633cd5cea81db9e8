// Function hooks' source, deploys and versions; callback hooks' signing secret.
import { createRoute } from "@hono/zod-openapi";
import { allow } from "../http/auth";
import { unwrap } from "../http/errors";
import { bearerSecurity, createRouter } from "../http/router";
import { commonErrors, invalidError, json, jsonBody, listOf, notFoundError } from "../schemas/common";
import {
  DeployBody,
  FunctionVersionView,
  HookIdParam,
  HookView,
  RotateSecretBody,
  SigningSecretView,
  SourceBody,
} from "../schemas/hooks";
import type { Store } from "../services/context";
import { deploy, listVersions, saveSource } from "../services/function-versions";
import { revealSigningSecret, rotateSigningSecret } from "../services/signing-secrets";

const tags = ["hooks"];
const readers = allow("admin", "operator");
const writers = allow("admin");
const errors = { ...commonErrors, ...notFoundError, ...invalidError };

export function functionRoutes(store: Store) {
  return createRouter()
    .openapi(
      createRoute({
        method: "put",
        path: "/v1/workspaces/{ws}/hooks/{id}/source",
        tags,
        middleware: writers,
        security: bearerSecurity,
        summary: "Save a function's draft; 422 with line/column diagnostics when it does not compile",
        request: { params: HookIdParam, ...jsonBody(SourceBody) },
        responses: { 200: json(HookView, "Saved"), ...errors },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await saveSource(store, ws, id, c.req.valid("json").source)), 200);
      },
    )
    .openapi(
      createRoute({
        method: "post",
        path: "/v1/workspaces/{ws}/hooks/{id}/deploy",
        tags,
        middleware: writers,
        security: bearerSecurity,
        summary:
          "Make the draft (or, with `version`, an earlier version) the live version; deploying the draft that is already live answers with that version and makes no new one",
        request: { params: HookIdParam, ...jsonBody(DeployBody) },
        responses: { 200: json(FunctionVersionView, "The live version"), ...errors },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await deploy(store, ws, id, c.req.valid("json").version)), 200);
      },
    )
    .openapi(
      createRoute({
        method: "get",
        path: "/v1/workspaces/{ws}/hooks/{id}/versions",
        tags,
        middleware: readers,
        security: bearerSecurity,
        summary: "A function's version history, newest first",
        request: { params: HookIdParam },
        responses: { 200: json(listOf(FunctionVersionView), "Versions"), ...errors },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json({ data: unwrap(await listVersions(store, ws, id)) }, 200);
      },
    )
    .openapi(
      createRoute({
        method: "get",
        path: "/v1/workspaces/{ws}/hooks/{id}/signing-secret",
        tags,
        middleware: writers,
        security: bearerSecurity,
        summary: "Reveal a callback's signing secret (and the previous one during a rotation)",
        request: { params: HookIdParam },
        responses: { 200: json(SigningSecretView, "The secret"), ...errors },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await revealSigningSecret(store, ws, id)), 200);
      },
    )
    .openapi(
      createRoute({
        method: "post",
        path: "/v1/workspaces/{ws}/hooks/{id}/signing-secret/rotate",
        tags,
        middleware: writers,
        security: bearerSecurity,
        summary: "Rotate the signing secret; the old one keeps signing too for `graceSeconds`",
        request: { params: HookIdParam, ...jsonBody(RotateSecretBody) },
        responses: { 200: json(SigningSecretView, "The new secret"), ...errors },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await rotateSigningSecret(store, ws, id, c.req.valid("json"))), 200);
      },
    );
}
