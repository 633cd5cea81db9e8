// Loading and acting: the two ways a view talks to the API, each with its pending and error state.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { type ApiFailure, asFailure } from "../api/client";

export interface Loaded<T> {
  data: T | undefined;
  error: ApiFailure | null;
  loading: boolean;
  reload(): void;
  /** Replaces the data locally (after a save answered with the new state). */
  set(data: T): void;
}

/** Loads when the dependencies change; a stale answer never overwrites a newer one. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiFailure | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  useEffect(() => {
    const mine = ++generation.current;
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
  const run = useCallback(async (...args: A) => {
    setPending(true);
    setError(null);
    try {
      return await latest.current(...args);
    } catch (err) {
      setError(asFailure(err));
      return undefined;
    } finally {
      setPending(false);
    }
  }, []);
  return { run, pending, error, clearError: useCallback(() => setError(null), []) };
}
