// The bench's clock and waits: performance.now(), sleep, and a cap on every wait, so a starved
// database (PGlite has one connection) cannot hang the bench.

export const now = () => performance.now();
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const TIMEOUT = Symbol("timeout");
export const capped = <T>(p: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> =>
  Promise.race([p, new Promise<typeof TIMEOUT>((r) => setTimeout(() => r(TIMEOUT), ms).unref())]);
