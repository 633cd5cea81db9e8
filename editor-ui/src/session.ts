// The signed-in key and the chosen workspace, kept in session storage: they last as long as the tab
// and never reach local storage or a cookie.
const KEY = "hookrun.key";
const WORKSPACE = "hookrun.workspace";

export type Role = "root" | "admin" | "operator" | "ingest";

export interface StoredSession {
  key: string;
  workspace: string | null;
}

export function loadSession(): StoredSession | null {
  const key = sessionStorage.getItem(KEY);
  return key ? { key, workspace: sessionStorage.getItem(WORKSPACE) } : null;
}

export function saveSession(session: StoredSession): void {
  sessionStorage.setItem(KEY, session.key);
  if (session.workspace) sessionStorage.setItem(WORKSPACE, session.workspace);
  else sessionStorage.removeItem(WORKSPACE);
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(WORKSPACE);
}
