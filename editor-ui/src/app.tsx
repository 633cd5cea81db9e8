// The shell: sign-in gate, the navigation of the chosen workspace, and the view for the address.
import { useEffect, useMemo, useState } from "preact/hooks";
import { createClient, ok } from "./api/client";
import { EventTypesPage } from "./pages/event-types";
import { HookPage } from "./pages/hooks/hook-page";
import { HooksPage } from "./pages/hooks/hooks-list";
import { NewHookPage } from "./pages/hooks/new-hook";
import { KeysPage } from "./pages/keys";
import { LogDetailPage } from "./pages/logs/log-detail";
import { LogsPage } from "./pages/logs/logs-page";
import { SignIn } from "./pages/sign-in";
import { WorkspacesPage } from "./pages/workspaces";
import { href, navigate, type Route, useRoute } from "./router";
import { clearSession, loadSession, type Role, saveSession } from "./session";
import { canEdit, type Session, SessionContext } from "./session-context";
import { EmptyState } from "./ui/layout";

interface SignedIn {
  key: string;
  role: Role;
  keyWorkspace: string | null;
}

export function App() {
  const [signedIn, setSignedIn] = useState<SignedIn | null>(null);
  const [restoring, setRestoring] = useState(() => loadSession() !== null);

  // A reload keeps the session: the stored key is checked again before anything is shown.
  useEffect(() => {
    const stored = loadSession();
    if (!stored) return;
    ok(createClient(stored.key).v1.me.$get())
      .then((me) => setSignedIn({ key: stored.key, role: me.role, keyWorkspace: me.workspaceId }))
      .catch(() => clearSession())
      .finally(() => setRestoring(false));
  }, []);

  const session = useMemo<Session | null>(
    () =>
      signedIn && {
        ...signedIn,
        client: createClient(signedIn.key),
        signOut: () => {
          clearSession();
          setSignedIn(null);
          navigate("#/");
        },
      },
    [signedIn],
  );

  if (restoring) return null;
  if (!session) {
    return (
      <SignIn
        onSignedIn={(key, role, keyWorkspace) => {
          saveSession({ key, workspace: keyWorkspace });
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

function Shell({ session }: { session: Session }) {
  const route = useRoute();
  const ws = "ws" in route ? route.ws : (session.keyWorkspace ?? loadSession()?.workspace ?? null);

  useEffect(() => {
    // A workspace key lives in one workspace: its start page is that workspace's hooks.
    if (route.name === "workspaces" && session.keyWorkspace) navigate(href(session.keyWorkspace, "hooks"));
    if ("ws" in route) saveSession({ key: session.key, workspace: route.ws });
  }, [route, session]);

  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <nav class="sidebar" aria-label="Main">
        <div class="brand">hookrun</div>
        {ws && (
          <ul>
            <NavLink to={href(ws, "hooks")} active={isSection(route, "hooks")} label="Hooks" />
            <NavLink to={href(ws, "logs")} active={isSection(route, "logs")} label="Logs" />
            <NavLink to={href(ws, "event-types")} active={route.name === "event-types"} label="Event types" />
            {canEdit(session.role) && (
              <NavLink to={href(ws, "keys")} active={route.name === "keys"} label="API keys" />
            )}
          </ul>
        )}
        <div class="sidebar-foot">
          {session.role === "root" && (
            <a href="#/workspaces" class="workspace-link">
              {ws ? `Workspace ${ws}` : "Choose a workspace"} · switch
            </a>
          )}
          <span class="muted">signed in as {session.role}</span>
          <button type="button" class="secondary" onClick={session.signOut}>
            Sign out
          </button>
        </div>
      </nav>
      <main id="main" tabIndex={-1}>
        <View route={route} />
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
    case "hooks":
      return <HooksPage ws={route.ws} />;
    case "new-hook":
      return <NewHookPage ws={route.ws} kind={route.kind} />;
    case "hook":
      return <HookPage ws={route.ws} id={route.id} />;
    case "logs":
      return <LogsPage ws={route.ws} query={route.query} />;
    case "log":
      return <LogDetailPage ws={route.ws} id={route.id} />;
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
