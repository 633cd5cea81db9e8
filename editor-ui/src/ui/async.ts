// Loading and acting: the two ways a view talks to the API, each with its pending and error state.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { type ApiFailure, asFailure } from "../api/client";

export interface Loaded<T> {
  data: T | undefined;
  error: ApiFailure | null;
  loading: boolean;
  reload(): void;
  /**
   * Replaces the data locally (after a save answered with the new state); pass a function of the
   * current data when several changes may land at once.
   */
  set(next: T | ((current: T | undefined) => T)): void;
}

/**
 * Loads when the dependencies change; a stale answer never overwrites a newer one. New dependencies
 * (another hook, another attempt) clear the old data at once, so it is never shown as the new one's;
 * a reload keeps it on screen until the fresh answer arrives.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiFailure | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const loadedFor = useRef<unknown[]>(deps);
  useEffect(() => {
    const mine = ++generation.current;
    if (!sameDeps(loadedFor.current, deps)) {
      loadedFor.current = deps;
      setData(undefined);
      setError(null);
    }
    setLoading(true);
    load().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setError(asFailure(err));
        setLoading(false);
      },
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, set: setData };
}

function sameDeps(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}

export interface Action<A extends unknown[], T> {
  run(...args: A): Promise<T | undefined>;
  pending: boolean;
  error: ApiFailure | null;
  clearError(): void;
}

/** An action the user starts (save, deploy, test…): one at a time, its failure kept for display. */
export function useAction<A extends unknown[], T>(act: (...args: A) => Promise<T>): Action<A, T> {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiFailure | null>(null);
  const latest = useRef(act);
  latest.current = act;
  const running = useRef(false);
  const run = useCallback(async (...args: A) => {
    // A second start while the first runs (a double click, Enter held down) is ignored.
    if (running.current) return undefined;
    running.current = true;
    setPending(true);
    setError(null);
    try {
      return await latest.current(...args);
    } catch (err) {
      setError(asFailure(err));
      return undefined;
    } finally {
      running.current = false;
      setPending(false);
    }
  }, []);
  return { run, pending, error, clearError: useCallback(() => setError(null), []) };
}
