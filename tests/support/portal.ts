// Portal sessions for tests: a session made through the API and its link opened (exchanged), as the
// editor does, so a test holds the credential a customer's browser would.
import type { TestApi } from "./app";

export interface OpenedPortal {
  id: string;
  /** The link's one-time token (already used). */
  token: string;
  credential: string;
}

/** The one-time token of a portal link (`…/portal#token=…`). */
export function tokenOf(url: string): string {
  const token = new URL(url).hash.match(/^#token=(.+)$/)?.[1];
  if (!token) throw new Error(`no token in ${url}`);
  return token;
}

/** A portal session of `role` in `ws`, made with `key` (root by default), its link opened once. */
export async function openPortal(
  api: TestApi,
  ws: string,
  role: "admin" | "operator",
  options: { key?: string; ttlSeconds?: number } = {},
): Promise<OpenedPortal> {
  const created = await api.request("POST", `/v1/workspaces/${ws}/portal-sessions`, {
    key: options.key ?? api.rootKey,
    body: { role, ...(options.ttlSeconds ? { ttlSeconds: options.ttlSeconds } : {}) },
  });
  if (created.status !== 201) throw new Error(`portal session: ${JSON.stringify(created.body)}`);
  const token = tokenOf(created.body.url);
  const exchanged = await api.request("POST", "/v1/portal/exchange", { body: { token } });
  if (exchanged.status !== 200) throw new Error(`exchange: ${JSON.stringify(exchanged.body)}`);
  return { id: created.body.id, token, credential: exchanged.body.credential };
}
