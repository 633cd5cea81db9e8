// Sealing, opening and masking a hook's secrets. Each sealed value is bound to its hook and field.
import { randomBytes } from "node:crypto";
import type { HookRow } from "../db/schema";
import { openJson, type SecretBox, sealJson } from "./secret-box";

export type SecretField = "headers" | "secrets" | "signing";

const context = (hookId: string, field: SecretField) => `hook:${hookId}:${field}`;

export function sealMap(
  box: SecretBox,
  hookId: string,
  field: SecretField,
  values: Record<string, string>,
): string {
  return sealJson(box, values, context(hookId, field));
}

export function openMap(
  box: SecretBox,
  hookId: string,
  field: SecretField,
  sealed: string | null,
): Record<string, string> {
  return sealed ? openJson<Record<string, string>>(box, sealed, context(hookId, field)) : {};
}

export function sealSecret(box: SecretBox, hookId: string, secret: string): string {
  return box.seal(secret, context(hookId, "signing"));
}

export function openSecret(box: SecretBox, hookId: string, sealed: string): string {
  return box.open(sealed, context(hookId, "signing"));
}

/** A Standard Webhooks secret: whsec_ and 24 random bytes in base64. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/** Enough of a secret to recognise it (last 4 characters of a long one), never enough to use it. */
export function maskSecret(value: string): string {
  return value.length >= 16 ? `••••${value.slice(-4)}` : "••••••••";
}

export function maskMap(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, maskSecret(v)]));
}

/** Applies a PATCH map: a string sets a key, null removes it. */
export function mergeMap(
  current: Record<string, string>,
  patch: Record<string, string | null>,
): Record<string, string> {
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/** What signing needs of a callback hook: a parsed one, or a row as an update returns it. */
export type SigningColumns = Pick<
  HookRow,
  "id" | "signing_secret_enc" | "previous_signing_secret_enc" | "previous_signing_secret_expires_at"
>;

/** When a rotation's grace period ends, if one is still running at `now`. */
export function graceEnd(hook: SigningColumns, now: Date): Date | null {
  const expires = hook.previous_signing_secret_expires_at;
  return hook.previous_signing_secret_enc && expires && expires > now ? expires : null;
}

/** The signing secrets in force at `now`: the current one, and the previous one during a grace period. */
export function signingSecretsAt(box: SecretBox, hook: SigningColumns, now: Date) {
  const previousUntil = graceEnd(hook, now);
  return {
    current: openSecret(box, hook.id, hook.signing_secret_enc ?? ""),
    previous: previousUntil ? openSecret(box, hook.id, hook.previous_signing_secret_enc ?? "") : null,
    previousUntil,
  };
}
