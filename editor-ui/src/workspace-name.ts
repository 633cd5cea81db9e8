// The name of the workspace the editor shows, for the sidebar: the root key reads the workspace
// itself; a workspace key may not (/v1/workspaces is root only), so it reads its own from /v1/me.
import { ok } from "./api/client";
import type { Session } from "./session-context";
import { useLoad } from "./ui/async";

/** The workspace's name once known; null while loading or if it cannot be read. */
export function useWorkspaceName(session: Session, ws: string | null): string | null {
  const { client, role } = session;
  const loaded = useLoad(async (): Promise<string | null> => {
    if (!ws) return null;
    if (role === "root") {
      return (await ok(client.v1.workspaces[":ws"].$get({ param: { ws } }))).name;
    }
    const me = await ok(client.v1.me.$get());
    return me.workspaceId === ws ? me.workspaceName : null;
  }, [client, role, ws]);
  return loaded.data ?? null;
}
