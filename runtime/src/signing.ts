// Signing of callback requests: Standard Webhooks by default, plus a compatibility HMAC profile for
// receivers written for other platforms (GitHub-style, Ushahidi-style). Pure functions: the caller
// passes the clock, the secrets and the exact bytes sent, so every signature is reproducible in tests.
import { createHmac } from "node:crypto";

/** The exact shape the api stores on a callback hook. */
export type SigningConfig =
  | { scheme: "standard-webhooks" }
  | {
      scheme: "hmac-sha256";
      header: string;
      payload: "body" | "url+body";
      encoding: "hex" | "base64";
      prefix: string;
    };

/** `previous` is set only during a rotation's grace period. */
export type SigningSecrets = { current: string; previous?: string | null };

export type StandardWebhooksInput = {
  id: string;
  /** Unix seconds. */
  timestamp: number;
  body: string;
  /** `whsec_<base64>`, current first, then the previous one during rotation. */
  secrets: string[];
};

export type HmacProfileInput = {
  url: string;
  body: string;
  /** The raw shared secret, used as a UTF-8 key (that is what these receivers do). */
  secret: string;
  header: string;
  payload: "body" | "url+body";
  encoding: "hex" | "base64";
  prefix: string;
};

const WHSEC_PREFIX = "whsec_";

/** The HMAC key of a Standard Webhooks secret: the base64 part after `whsec_`. */
function standardWebhooksKey(secret: string): Buffer {
  const encoded = secret.startsWith(WHSEC_PREFIX) ? secret.slice(WHSEC_PREFIX.length) : secret;
  return Buffer.from(encoded, "base64");
}

export function signStandardWebhooks(input: StandardWebhooksInput): Record<string, string> {
  const message = `${input.id}.${input.timestamp}.${input.body}`;
  // One `v1,<sig>` per secret, space-separated: a receiver holding either the old or the new secret
  // finds a match, which is what lets rotation happen without a flag day.
  const signatures = input.secrets.map(
    (secret) => `v1,${createHmac("sha256", standardWebhooksKey(secret)).update(message).digest("base64")}`,
  );
  return {
    "webhook-id": input.id,
    "webhook-timestamp": String(input.timestamp),
    "webhook-signature": signatures.join(" "),
  };
}

export function signHmacProfile(input: HmacProfileInput): Record<string, string> {
  const payload = input.payload === "body" ? input.body : input.url + input.body;
  const digest = createHmac("sha256", Buffer.from(input.secret, "utf8"))
    .update(payload)
    .digest(input.encoding);
  return { [input.header]: input.prefix + digest };
}

export type SignInput = {
  /** The message id (for callbacks: the delivery id, stable across retries). */
  id: string;
  /** The send time; injected so tests and retries control `webhook-timestamp`. */
  now: Date;
  /** The final URL the request goes to (query string included). */
  url: string;
  /** The exact body sent; "" when there is none (GET). */
  body: string;
};

/** Current first, previous after, without blanks or a duplicate of the current one. */
function activeSecrets(secrets: SigningSecrets): string[] {
  const previous = secrets.previous;
  return previous && previous !== secrets.current ? [secrets.current, previous] : [secrets.current];
}

/** The signature headers for one request under the hook's signing config. */
export function signRequest(
  config: SigningConfig,
  secrets: SigningSecrets,
  input: SignInput,
): Record<string, string> {
  switch (config.scheme) {
    case "standard-webhooks":
      return signStandardWebhooks({
        id: input.id,
        timestamp: Math.floor(input.now.getTime() / 1000),
        body: input.body,
        secrets: activeSecrets(secrets),
      });
    case "hmac-sha256":
      // Current secret only, even during rotation: GitHub/Ushahidi-style receivers compare the header
      // with one computed value, so a second value (a list or a repeated header) would make them reject
      // the request under both secrets. Rotation for this profile is a cut-over; the retry schedule
      // covers the gap until the receiver is given the new secret.
      return signHmacProfile({
        url: input.url,
        body: input.body,
        secret: secrets.current,
        header: config.header,
        payload: config.payload,
        encoding: config.encoding,
        prefix: config.prefix,
      });
    default: {
      const unreachable: never = config;
      throw new Error(`unknown signing scheme: ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Header names whose values must not reach the execution log. */
export function signatureHeaderNames(config: SigningConfig): string[] {
  switch (config.scheme) {
    case "standard-webhooks":
      return ["webhook-signature"];
    case "hmac-sha256":
      return [config.header];
    default: {
      const unreachable: never = config;
      throw new Error(`unknown signing scheme: ${JSON.stringify(unreachable)}`);
    }
  }
}
