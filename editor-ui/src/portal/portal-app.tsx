// The editor in portal mode (served at /portal, usually inside a platform's iframe): opens the
// link's session, applies its theme and shows the editor's own shell for that one workspace and
// role; or a full page saying why it cannot (link used, link unknown or expired, session ended).
import { useEffect, useMemo, useState } from "preact/hooks";
import { type ApiFailure, asFailure, createClient, KEY_REFUSED_EVENT, ok } from "../api/client";
import { Shell } from "../app";
import { href } from "../router";
import { type Session, SessionContext } from "../session-context";
import {
  exchangeLinkToken,
  type PortalSession,
  storedPortalSession,
  storePortalSession,
  takeLinkToken,
} from "./portal-link";
import { PortalErrorPage, type PortalStop, PortalStopPage } from "./portal-pages";
import { applyTheme } from "./theme";
import "./portal.css";

type State =
  | { kind: "opening" }
  | { kind: "open"; session: PortalSession }
  | { kind: "stopped"; stop: PortalStop }
  | { kind: "failed"; error: ApiFailure };

export function PortalApp() {
  const [state, setState] = useState<State>({ kind: "opening" });

  useEffect(() => {
    const open = (session: PortalSession) => {
      storePortalSession(session);
      applyTheme(session.theme);
      if (!location.hash.startsWith("#/w/"))
        history.replaceState(null, "", href(session.workspaceId, "hooks"));
      setState({ kind: "open", session });
    };
    const fail = (error: unknown, stopFor: Partial<Record<number, PortalStop>>) => {
      const failure = asFailure(error);
      const stop = stopFor[failure.status];
      setState(stop ? { kind: "stopped", stop } : { kind: "failed", error: failure });
    };
    const token = takeLinkToken();
    if (token) {
      exchangeLinkToken(token)
        .then(open)
        .catch((error) => fail(error, { 410: "used", 404: "invalid" }));
      return;
    }
    // A reload: the link is spent, so only a session kept in this tab's storage can continue.
    const stored = storedPortalSession();
    if (!stored) {
      setState({ kind: "stopped", stop: "ended" });
      return;
    }
    ok(createClient(stored.credential).v1.me.$get())
      .then(() => open(stored))
      .catch((error) => fail(error, { 401: "ended" }));
  }, []);

  // Revoked or expired while open: the next answer is a 401, and the session is over. At its
  // expiry the page says so by itself, without waiting for a click.
  useEffect(() => {
    if (state.kind !== "open") return;
    const end = () => {
      storePortalSession(null);
      setState({ kind: "stopped", stop: "ended" });
    };
    addEventListener(KEY_REFUSED_EVENT, end);
    const timer = setTimeout(end, Math.max(0, Date.parse(state.session.expiresAt) - Date.now()));
    return () => {
      removeEventListener(KEY_REFUSED_EVENT, end);
      clearTimeout(timer);
    };
  }, [state]);

  const opened = state.kind === "open" ? state.session : null;
  const session = useMemo<Session | null>(
    () =>
      opened && {
        client: createClient(opened.credential),
        key: opened.credential,
        role: opened.role,
        keyWorkspace: opened.workspaceId,
        // The platform's dashboard decides when a session ends; there is no sign-out inside it.
        signOut: () => undefined,
        portal: { name: opened.theme.name ?? opened.workspaceName, logoUrl: opened.theme.logoUrl },
      },
    [opened],
  );

  if (state.kind === "stopped") return <PortalStopPage stop={state.stop} />;
  if (state.kind === "failed") return <PortalErrorPage error={state.error} />;
  if (!session) return null;
  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} />
    </SessionContext.Provider>
  );
}
