// The requests the bench loads, in order; the bare server's and /healthz's figures are what the
// others are compared with (the targets: invoke >= 0.5x bare, GET hook >= 0.5x /healthz).
import type { Target } from "./load";
import type { Fixture } from "./setup";

export function serviceTargets(url: string, f: Fixture): Target[] {
  const hooks = `${url}/v1/workspaces/${f.ws}/hooks`;
  return [
    { name: "healthz", method: "GET", url: `${url}/healthz` },
    { name: "me", method: "GET", url: `${url}/v1/me`, key: f.admin },
    { name: "get-hook", method: "GET", url: `${hooks}/${f.callbackHook}`, key: f.admin },
    // The hook's own source, compiled on each call (test runs the draft, not the live version).
    { name: "test", method: "POST", url: `${hooks}/${f.functionHook}/test`, key: f.admin, body: {} },
    {
      name: "invoke",
      method: "POST",
      url: `${hooks}/${f.functionHook}/invoke`,
      key: f.admin,
      body: { data: { n: 1 } },
    },
  ];
}
