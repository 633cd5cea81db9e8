// The two secrets of a portal session, each random with a prefix of its own (for secret scanners,
// and so authentication knows a session credential from an API key at a glance): the one-time link
// token (`hrl_`, in the link's fragment) and the session credential it is exchanged for (`hrp_`,
// a bearer). Both are stored only as hashes (hashApiKey) and compared through them.
import { randomBytes } from "node:crypto";

const LINK_TOKEN_PREFIX = "hrl_";
const CREDENTIAL_PREFIX = "hrp_";

export function generateLinkToken(): string {
  return LINK_TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

export function generatePortalCredential(): string {
  return CREDENTIAL_PREFIX + randomBytes(32).toString("base64url");
}

/** True for a bearer that can only be a portal session credential, never an API key. */
export function isPortalCredential(bearer: string): boolean {
  return bearer.startsWith(CREDENTIAL_PREFIX);
}
