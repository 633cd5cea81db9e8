// Asking again on a timer while the page is visible: a view's figure kept current without holding a
// connection open (the browser allows only 6 per host across all tabs). One request at a time; none
// while the tab is hidden; one at once when it shows again.
import { useEffect, useRef } from "preact/hooks";

/**
 * Calls `poll` `intervalMs` after the last call settled, while `document.visibilityState` is
 * "visible"; the first call comes one interval after mounting (the view loaded its data already).
 * Hidden, the timer stops; visible again, `poll` runs at once unless a call is still in flight.
 * Unmounting, or new `deps`, aborts the call in flight and stops. A failed call is the caller's to
 * report (or not); the next one comes on schedule either way.
 */
export function usePollWhileVisible(
  poll: (signal: AbortSignal) => Promise<void>,
  intervalMs: number,
  deps: unknown[],
): void {
  const latest = useRef(poll);
  latest.current = poll;
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;

    const schedule = () => {
      clearTimeout(timer);
      timer = undefined;
      if (abort.signal.aborted || document.visibilityState !== "visible") return;
      timer = setTimeout(run, intervalMs);
    };
    const run = () => {
      clearTimeout(timer);
      timer = undefined;
      if (inFlight || abort.signal.aborted) return;
      inFlight = true;
      const settled = () => {
        inFlight = false;
        schedule();
      };
      latest.current(abort.signal).then(settled, settled);
    };
    // Hidden: stop asking (a call in flight settles and schedules nothing). Visible: ask now.
    const onVisibility = () => {
      if (document.visibilityState === "visible") run();
      else {
        clearTimeout(timer);
        timer = undefined;
      }
    };

    document.addEventListener("visibilitychange", onVisibility);
    schedule();
    return () => {
      abort.abort();
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [...deps, intervalMs]);
}
