// A function hook's settings (its code lives on the Code tab): name, description, events, retry,
// limits and write-only secrets, saved as a PATCH of only what changed; delete. Operators read.
import type { FunctionHook } from "../../api/types";
import { FunctionFields } from "./form/fields";
import { functionPatch, functionStateOf } from "./form/model";
import { SettingsForm, SettingsSection, useSettingsForm } from "./form/settings-form";
import "./form/hook-form.css";

export function FunctionSettings(props: {
  ws: string;
  hook: FunctionHook;
  onSaved(hook: FunctionHook): void;
}) {
  const form = useSettingsForm(props, functionStateOf, functionPatch);
  return (
    <SettingsForm label="Function settings" form={form}>
      <SettingsSection title="Runtime">
        <FunctionFields
          state={form.state}
          set={form.set}
          errors={form.save.error}
          readOnly={!form.editable}
        />
        <p class="hint">Secrets and limits apply from the next run; no deploy needed.</p>
      </SettingsSection>
    </SettingsForm>
  );
}
