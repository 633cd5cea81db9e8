// One hook: its header (name, kind, enabled, its last 24 hours kept current) and its tabs. The tabs'
// contents live beside this file per kind: function code and settings, callback settings, and the
// hook's activity.
import { useState } from "preact/hooks";
import { ok } from "../../api/client";
import type { Hook } from "../../api/types";
import { href } from "../../router";
import { canEdit, useSession } from "../../session-context";
import { useAction, useLoad } from "../../ui/async";
import { ErrorNotice } from "../../ui/error-notice";
import { Loading, Page, Switch } from "../../ui/layout";
import { Tabs } from "../../ui/tabs";
import { FunctionWorkbench } from "../function/function-workbench";
import { CallbackSettings } from "./callback-settings";
import { CircuitNotice } from "./circuit-notice";
import { FunctionSettings } from "./function-settings";
import { HookActivity } from "./hook-activity";
import { HookHealthLine } from "./hook-health";

type Tab = "code" | "settings" | "activity";

/** `tab` opens that tab first (a link to a hook's activity); otherwise the kind's main tab. */
export function HookPage({ ws, id, tab: firstTab = null }: { ws: string; id: string; tab?: Tab | null }) {
  const { client, role } = useSession();
  const hook = useLoad(
    () => ok(client.v1.workspaces[":ws"].hooks[":id"].$get({ param: { ws, id } })),
    [client, ws, id],
  );
  const toggle = useAction(async (enabled: boolean) => {
    const updated = await ok(
      client.v1.workspaces[":ws"].hooks[":id"].$patch({ param: { ws, id }, json: { enabled } }),
    );
    hook.set(updated);
  });
  const [tab, setTab] = useState<Tab | null>(firstTab);
  // The latest read of the hook by the header's poll: its URLs' circuits change without a save.
  const [polled, setPolled] = useState<Hook | null>(null);

  if (!hook.data) {
    return hook.error ? <ErrorNotice error={hook.error} /> : <Loading what="the hook" />;
  }
  const h: Hook = hook.data;
  const current: Tab = tab ?? (h.kind === "function" ? "code" : "settings");
  const tabs: [Tab, string][] =
    h.kind === "function"
      ? [
          ["code", "Code"],
          ["settings", "Settings"],
          ["activity", "Activity"],
        ]
      : [
          ["settings", "Settings"],
          ["activity", "Activity"],
        ];

  return (
    <Page
      title={h.name}
      actions={
        <>
          <span class="badge">{h.kind === "function" ? "function" : `callback · ${h.method}`}</span>
          <HookHealthLine ws={ws} hook={h} onFresh={setPolled} />
          <Switch
            label="Enabled"
            checked={h.enabled}
            disabled={!canEdit(role) || toggle.pending}
            onChange={(enabled) => void toggle.run(enabled)}
          />
          <a class="button secondary" href={href(ws, "hooks")}>
            All hooks
          </a>
        </>
      }
    >
      {h.disabledReason && !h.enabled && (
        <div class="notice info" role="status">
          Disabled: {h.disabledReason}
        </div>
      )}
      {h.kind === "callback" && (
        <CircuitNotice urlStates={polled?.kind === "callback" ? polled.urlStates : h.urlStates} />
      )}
      <ErrorNotice error={toggle.error} onDismiss={toggle.clearError} />
      <Tabs label="Hook" tabs={tabs} current={current} onSelect={(value) => setTab(value)}>
        {current === "activity" ? (
          <HookActivity ws={ws} hook={h} />
        ) : h.kind === "function" ? (
          current === "code" ? (
            <FunctionWorkbench ws={ws} hook={h} onChanged={hook.set} />
          ) : (
            <FunctionSettings ws={ws} hook={h} onSaved={hook.set} />
          )
        ) : (
          <CallbackSettings ws={ws} hook={h} onSaved={hook.set} />
        )}
      </Tabs>
    </Page>
  );
}
