// Structured JSON logs (pino). Secrets never reach them: request bodies are not logged, and the
// fields that could carry a key or a secret are redacted wherever they appear.
// Written to stdout asynchronously (sonic-boom, sync: false): lines logged while a write is under
// way go out together in the next one, instead of a write syscall per request line. pino flushes
// what is still buffered, synchronously, when the process exits (its on-exit hook: a normal stop,
// process.exit after a failure, an uncaught exception); only a SIGKILL or a crash of Node itself
// can lose the last lines.
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
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
