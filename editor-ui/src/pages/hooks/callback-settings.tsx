// A callback hook's settings: every field of its create form, saved as a PATCH of only what changed;
// headers as a write-only map; URLs a 410 disabled; the signing secret (reveal, copy, rotate); a
// real test request; delete. Operators read it all and change nothing.
import type { CallbackHook } from "../../api/types";
import { CreatedNotice } from "./created-notice";
import { CallbackFields } from "./form/fields";
import { callbackPatch, callbackStateOf } from "./form/model";
import { SendTest } from "./form/send-test";
import { SettingsForm, SettingsSection, useSettingsForm } from "./form/settings-form";
import { SigningSecretPanel } from "./form/signing-secret";
import "./form/hook-form.css";

export function CallbackSettings(props: {
  ws: string;
  hook: CallbackHook;
  onSaved(hook: CallbackHook): void;
}) {
  const { ws, hook } = props;
  const form = useSettingsForm(props, callbackStateOf, callbackPatch);
  const { editable } = form;
  return (
    <SettingsForm
      label="Callback settings"
      form={form}
      after={
        <>
          <section class="card settings-section" aria-label="Signing secret">
            <CreatedNotice hook={hook}>
              Your receiver checks each request with the signing secret below: reveal it and copy it there.
            </CreatedNotice>
            <SigningSecretPanel ws={ws} hook={hook} editable={editable} onChanged={props.onSaved} />
          </section>
          {editable && <SendTest ws={ws} hook={hook} unsaved={form.dirty} />}
        </>
      }
    >
      <SettingsSection title="Delivery">
        <CallbackFields
          state={form.state}
          set={form.set}
          errors={form.save.error}
          withSecret={false}
          disabledUrls={hook.disabledUrls}
          warnings={hook.warnings}
          readOnly={!editable}
        />
        <p class="hint">
          Changing the scheme keeps the current secret; see below to reveal, copy or rotate it.
        </p>
      </SettingsSection>
    </SettingsForm>
  );
}
