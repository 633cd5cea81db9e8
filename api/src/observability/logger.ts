// Structured JSON logs (pino). Secrets never reach them: request bodies are not logged, and the
// fields that could carry a key or a secret are redacted wherever they appear.
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from "pino";

export type { Logger };

const REDACT = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "req.headers.authorization",
  "*.headers",
  "secret",
  "*.secret",
  "secrets",
  "*.secrets",
  "key",
  "*.key",
];

export function createLogger(level: LevelWithSilent = "info", destination?: DestinationStream): Logger {
  return pino(
    { level, base: { service: "hookrun" }, redact: { paths: REDACT, censor: "[redacted]" } },
    destination,
  );
}
