// Hash routing: the whole UI is one page served at `/`, and each view has its own address
// (#/w/{ws}/hooks/{id}, #/w/{ws}/hooks/{id}/activity, …) so reload, back and links work.
import { useEffect, useMemo, useState } from "preact/hooks";

export type Route =
  | { name: "workspaces" }
  | { name: "overview"; ws: string }
  | { name: "hooks"; ws: string }
  | { name: "new-hook"; ws: string; kind: "callback" | "function" | null }
  | { name: "hook"; ws: string; id: string; tab: "activity" | null }
  | { name: "logs"; ws: string; query: URLSearchParams }
  | { name: "log"; ws: string; id: string }
  | { name: "event-types"; ws: string }
  | { name: "keys"; ws: string }
  | { name: "not-found"; path: string };

export function parseRoute(hash: string): Route {
  const [path = "", search = ""] = hash.replace(/^#/, "").split("?");
  let parts: string[];
  try {
    parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return { name: "not-found", path }; // a malformed %-escape typed into the address
  }
  if (parts.length === 0 || parts[0] === "workspaces") return { name: "workspaces" };
  if (parts[0] !== "w" || !parts[1]) return { name: "not-found", path };
  const ws = parts[1];
  const [section, id, extra] = parts.slice(2);
  switch (section) {
    case undefined:
    case "hooks":
      if (!id) return { name: "hooks", ws };
      if (id === "new") {
        const kind = extra === "callback" || extra === "function" ? extra : null;
        return { name: "new-hook", ws, kind };
      }
      return { name: "hook", ws, id, tab: extra === "activity" ? "activity" : null };
    case "logs":
      return id ? { name: "log", ws, id } : { name: "logs", ws, query: new URLSearchParams(search) };
    case "overview":
      return { name: "overview", ws };
    case "event-types":
      return { name: "event-types", ws };
    case "keys":
      return { name: "keys", ws };
    default:
      return { name: "not-found", path };
  }
}

/** The address of a view inside a workspace, e.g. `href(ws, "hooks", id)`. */
export function href(ws: string, ...parts: string[]): string {
  return `#/w/${[ws, ...parts].map(encodeURIComponent).join("/")}`;
}

export function navigate(to: string): void {
  if (location.hash === to) return;
  location.hash = to;
}

export function useRoute(): Route {
  const [hash, setHash] = useState(() => location.hash);
  useEffect(() => {
    const update = () => setHash(location.hash);
    addEventListener("hashchange", update);
    // The address may have changed between the first render and this effect (a navigation right
    // after the view mounted): its hashchange came before the listener, so read it once now (an
    // unchanged address renders nothing again).
    update();
    return () => removeEventListener("hashchange", update);
  }, []);
  return useMemo(() => parseRoute(hash), [hash]);
}
