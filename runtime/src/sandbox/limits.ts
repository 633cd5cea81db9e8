// Per-invocation limits and the fixed caps of the sandbox. Limits come from the function's
// configuration (validated by the API); values outside these bounds here are a caller bug.

export type Limits = { memoryMb: number; timeoutMs: number; cpuMs: number };

export const MEMORY_MB = { min: 8, max: 128 } as const;
export const MAX_TIMEOUT_MS = 30_000;

export const CAPS = {
  resultBytes: 64 * 1024,
  logLines: 200,
  logBytes: 64 * 1024,
  fetchesPerInvocation: 50,
  fetchResponseBytes: 5 * 1024 * 1024,
  fetchRequestBytes: 5 * 1024 * 1024,
  pendingTimers: 1000,
  randomBytes: 65_536,
  fetchHeaders: 100,
  /** Largest input of one digest or HMAC (a few ms of the executor's thread). */
  hashBytes: 8 * 1024 * 1024,
} as const;

/** Throws a RangeError for limits outside the documented bounds (a caller bug, not user input). */
export function assertLimits(limits: Limits): void {
  const { memoryMb, timeoutMs, cpuMs } = limits;
  if (!Number.isInteger(memoryMb) || memoryMb < MEMORY_MB.min || memoryMb > MEMORY_MB.max) {
    throw new RangeError(
      `memoryMb must be an integer in ${MEMORY_MB.min}..${MEMORY_MB.max}, got ${memoryMb}`,
    );
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new RangeError(`timeoutMs must be in 1..${MAX_TIMEOUT_MS}, got ${timeoutMs}`);
  }
  if (!Number.isFinite(cpuMs) || cpuMs < 1 || cpuMs > MAX_TIMEOUT_MS) {
    throw new RangeError(`cpuMs must be in 1..${MAX_TIMEOUT_MS}, got ${cpuMs}`);
  }
}
