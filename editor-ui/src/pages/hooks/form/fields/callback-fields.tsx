// A callback's delivery settings (method, timeout, URLs, headers, signing, FIFO, breaker), when creating
// and in settings.
import type { ApiFailure } from "../../../../api/client";
import type { CallbackState } from "../model";
import { CallbackControlFields } from "./delivery-control-fields";
import { MethodField } from "./method-field";
import { SecretMapField } from "./secret-map-field";
import { SigningFields } from "./signing-fields";
import { TimeoutField } from "./timeout-field";
import { type CallbackDisabledUrl, UrlsField } from "./urls-field";

/** Method, timeout, URLs, headers and signing: a callback's delivery, when creating and in settings. */
export function CallbackFields(props: {
  state: CallbackState;
  set(patch: Partial<CallbackState>): void;
  errors: ApiFailure | null;
  /** Creating: a signing secret may be given (settings have their own panel for it). */
  withSecret: boolean;
  /** Settings: the stored hook's URLs a 410 disabled, which saving the URLs enables again. */
  disabledUrls?: CallbackDisabledUrl[];
  /** Settings: the service's warnings about the stored URLs. */
  warnings?: string[];
  readOnly?: boolean;
}) {
  const { state, set, errors } = props;
  return (
    <>
      <div class="grid-2">
        <MethodField value={state.method} onChange={(method) => set({ method })} errors={errors} />
        <TimeoutField
          value={state.timeoutSeconds}
          onChange={(timeoutSeconds) => set({ timeoutSeconds })}
          errors={errors}
        />
      </div>
      <UrlsField
        value={state.urlsText}
        onChange={(urlsText) => set({ urlsText })}
        errors={errors}
        disabledUrls={props.disabledUrls}
        warnings={props.warnings}
        reenable={{
          on: state.reenableUrls,
          set: (reenableUrls) => set({ reenableUrls }),
          readOnly: Boolean(props.readOnly),
        }}
      />
      <SecretMapField
        noun="header"
        rows={state.headers}
        onChange={(headers) => set({ headers })}
        errors={errors}
        readOnly={props.readOnly}
      />
      <SigningFields
        value={state.signing}
        onChange={(signing) => set({ signing })}
        errors={errors}
        withSecret={props.withSecret}
        readOnly={props.readOnly}
      />
      <CallbackControlFields state={state} set={set} errors={errors} />
    </>
  );
}
