// The shell: sign-in gate, the navigation of the chosen workspace, and the view for the address.
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { type ApiFailure, asFailure, createClient, KEY_REFUSED_EVENT, ok } from "./api/client";
import { EventTypesPage } from "./pages/event-types";
import { forgetUnsavedDrafts } from "./pages/function/function-workbench";
import { HookPage } from "./pages/hooks/hook-page";
import { HooksPage } from "./pages/hooks/hooks-list";
import { NewHookPage } from "./pages/hooks/new-hook";
import { KeysPage } from "./pages/keys";
import { LogDetailPage } from "./pages/logs/log-detail";
import { LogsPage } from "./pages/logs/logs-page";
import { OverviewPage } from "./pages/overview/overview-page";
import { SignIn } from "./pages/sign-in";
import { WorkspacesPage } from "./pages/workspaces";
import { PortalBrandMark } from "./portal/portal-brand";
import { href, navigate, type Route, useRoute } from "./router";
import { clearSession, loadSession, type Role, saveSession } from "./session";
import { canEdit, type Session, SessionContext } from "./session-context";
import { ErrorNotice } from "./ui/error-notice";
import { EmptyState } from "./ui/layout";
import { useWorkspaceName } from "./workspace-name";

interface SignedIn {
  key: string;
  role: Role;
  keyWorkspace: string | null;
}

export function App() {
  const [signedIn, setSignedIn] = useState<SignedIn | null>(null);
  const [restoring, setRestoring] = useState(() => loadSession() !== null);
  const [restoreError, setRestoreError] = useState<ApiFailure | null>(null);
  const [signedOutBecause, setSignedOutBecause] = useState<string | null>(null);

  // A reload keeps the session: the stored key is checked again before anything is shown. Only a
  // refused key forgets it; a service that does not answer is shown, with a way to try again.
  const restore = useCallback(() => {
    const stored = loadSession();
    if (!stored) return;
    setRestoring(true);
    setRestoreError(null);
    ok(createClient(stored.key).v1.me.$get())
      .then((me) => setSignedIn({ key: stored.key, role: me.role, keyWorkspace: me.workspaceId }))
      .catch((error: unknown) => {
        const failure = asFailure(error);
        if (failure.status === 401) clearSession();
        else setRestoreError(failure);
      })
      .finally(() => setRestoring(false));
  }, []);
  useEffect(restore, []);

  const signOut = useCallback((reason: string | null) => {
    clearSession();
    forgetUnsavedDrafts();
    setSignedIn(null);
    setRestoreError(null);
    setSignedOutBecause(reason);
    navigate("#/");
  }, []);

  // A key revoked (or deleted with its workspace) while in use: every view would fail; sign out.
  useEffect(() => {
    if (!signedIn) return;
    const refused = () =>
      signOut("The service no longer accepts this API key (revoked, or unknown). Sign in again.");
    addEventListener(KEY_REFUSED_EVENT, refused);
    return () => removeEventListener(KEY_REFUSED_EVENT, refused);
  }, [signedIn, signOut]);

  const session = useMemo<Session | null>(
    () =>
      signedIn && {
        ...signedIn,
        client: createClient(signedIn.key),
        signOut: () => signOut(null),
      },
    [signedIn, signOut],
  );

  if (restoring) return null;
  if (restoreError) {
    return (
      <main class="sign-in" id="main">
        <div class="card">
          <h1>hookrun</h1>
          <ErrorNotice error={restoreError} />
          <div class="row">
            <button type="button" onClick={restore}>
              Try again
            </button>
            <button type="button" class="secondary" onClick={() => signOut(null)}>
              Sign out
            </button>
          </div>
        </div>
      </main>
    );
  }
  if (!session) {
    return (
      <SignIn
        notice={signedOutBecause}
        onSignedIn={(key, role, keyWorkspace) => {
          saveSession({ key, workspace: keyWorkspace });
          setSignedOutBecause(null);
          setSignedIn({ key, role, keyWorkspace });
          navigate(keyWorkspace ? href(keyWorkspace, "hooks") : "#/workspaces");
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} />
    </SessionContext.Provider>
  );
}

export function Shell({ session }: { session: Session }) {
  const route = useRoute();
  const ws = "ws" in route ? route.ws : (session.keyWorkspace ?? loadSession()?.workspace ?? null);
  const workspaceName = useWorkspaceName(session, ws);

  useEffect(() => {
    // A workspace key lives in one workspace: its start page is that workspace's hooks.
    if (route.name === "workspaces" && session.keyWorkspace) navigate(href(session.keyWorkspace, "hooks"));
    if ("ws" in route && !session.portal) saveSession({ key: session.key, workspace: route.ws });
  }, [route, session]);

  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <nav class="sidebar" aria-label="Main">
        {session.portal ? <PortalBrandMark brand={session.portal} /> : <div class="brand">hookrun</div>}
        {ws && (
          <ul>
            <NavLink to={href(ws, "overview")} active={route.name === "overview"} label="Overview" />
            <NavLink to={href(ws, "hooks")} active={isSection(route, "hooks")} label="Hooks" />
            <NavLink to={href(ws, "logs")} active={isSection(route, "logs")} label="Logs" />
            <NavLink to={href(ws, "event-types")} active={route.name === "event-types"} label="Event types" />
            {canEdit(session.role) && !session.portal && (
              <NavLink to={href(ws, "keys")} active={route.name === "keys"} label="API keys" />
            )}
          </ul>
        )}
        <div class="sidebar-foot">
          {ws && (
            <span class="workspace-name" title={ws} data-testid="workspace-name">
              Workspace <strong>{workspaceName ?? ws}</strong>
              {workspaceName && <span class="muted workspace-id">{ws}</span>}
            </span>
          )}
          {session.role === "root" && (
            <a href="#/workspaces" class="workspace-link">
              {ws ? "Switch workspace" : "Choose a workspace"}
            </a>
          )}
          <span class="muted">signed in as {session.role}</span>
          {!session.portal && (
            <button type="button" class="secondary" onClick={session.signOut}>
              Sign out
            </button>
          )}
        </div>
      </nav>
      <main id="main" tabIndex={-1}>
        <View
          route={session.portal && route.name === "keys" ? { name: "not-found", path: "/keys" } : route}
        />
      </main>
    </div>
  );
}

function isSection(route: Route, section: "hooks" | "logs"): boolean {
  if (section === "hooks")
    return route.name === "hooks" || route.name === "hook" || route.name === "new-hook";
  return route.name === "logs" || route.name === "log";
}

function NavLink(props: { to: string; label: string; active: boolean }) {
  return (
    <li>
      <a href={props.to} aria-current={props.active ? "page" : undefined}>
        {props.label}
      </a>
    </li>
  );
}

function View({ route }: { route: Route }) {
  switch (route.name) {
    case "workspaces":
      return <WorkspacesPage />;
    case "overview":
      return <OverviewPage ws={route.ws} />;
    case "hooks":
      return <HooksPage ws={route.ws} />;
    case "new-hook":
      return <NewHookPage key={`${route.ws}/${route.kind}`} ws={route.ws} kind={route.kind} />;
    case "hook":
      // Keyed: another hook is a new page, never the previous hook's form compared against it.
      return <HookPage key={`${route.ws}/${route.id}`} ws={route.ws} id={route.id} tab={route.tab} />;
    case "logs":
      return <LogsPage ws={route.ws} query={route.query} />;
    case "log":
      return <LogDetailPage key={`${route.ws}/${route.id}`} ws={route.ws} id={route.id} />;
    case "event-types":
      return <EventTypesPage ws={route.ws} />;
    case "keys":
      return <KeysPage ws={route.ws} />;
    case "not-found":
      return (
        <EmptyState title="Nothing here">
          <p>
            There is no page at <code>{route.path}</code>. <a href="#/">Go to the start page</a>.
          </p>
        </EmptyState>
      );
  }
}
