// /v1/workspaces/{ws}/hooks/{id}/signing-secret: a callback hook's signing secret, revealed and
// rotated by admins.
import { unwrap } from "../http/errors";
import { routesTagged } from "../http/route";
import { createRouter } from "../http/router";
import { json, jsonBody } from "../schemas/common";
import { HookIdParam, RotateSecretBody, SigningSecretView } from "../schemas/hooks";
import type { Store } from "../services/context";
import { revealSigningSecret, rotateSigningSecret } from "../services/signing-secrets";

const route = routesTagged("hooks");

export function signingSecretRoutes(store: Store) {
  return createRouter()
    .openapi(
      route({
        method: "get",
        path: "/v1/workspaces/{ws}/hooks/{id}/signing-secret",
        roles: ["admin"],
        portal: true,
        summary: "Reveal a callback's signing secret (and the previous one during a rotation)",
        request: { params: HookIdParam },
        responses: { 200: json(SigningSecretView, "The secret") },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await revealSigningSecret(store, ws, id)), 200);
      },
    )
    .openapi(
      route({
        method: "post",
        path: "/v1/workspaces/{ws}/hooks/{id}/signing-secret/rotate",
        roles: ["admin"],
        portal: true,
        summary: "Rotate the signing secret; the old one keeps signing too for `graceSeconds`",
        request: { params: HookIdParam, ...jsonBody(RotateSecretBody) },
        responses: { 200: json(SigningSecretView, "The new secret") },
      }),
      async (c) => {
        const { ws, id } = c.req.valid("param");
        return c.json(unwrap(await rotateSigningSecret(store, ws, id, c.req.valid("json"))), 200);
      },
    );
}
