// How each callback request is signed: Standard Webhooks or the HMAC compatibility profile.
import { useState } from "preact/hooks";
import type { ApiFailure } from "../../../../api/client";
import { fieldErrors, type SigningState } from "../model";
import { FormField } from "./form-field";
import { Problems } from "./problems";
import { SchemeChoice } from "./scheme-choice";
import { SelectField } from "./select-field";

const HMAC_PRESETS = [
  {
    label: "GitHub style",
    value: { header: "X-Hub-Signature-256", payload: "body", encoding: "hex", prefix: "sha256=" },
  },
  {
    label: "Ushahidi style",
    value: { header: "X-Ushahidi-Signature", payload: "url+body", encoding: "base64", prefix: "" },
  },
] as const;

/** How each request is signed. `withSecret`: creating, where a secret may be given. */
export function SigningFields(props: {
  value: SigningState;
  onChange(value: SigningState): void;
  errors: ApiFailure | null;
  withSecret: boolean;
  readOnly?: boolean;
}) {
  const s = props.value;
  const [lastHmac, setLastHmac] = useState<SigningState | null>(s.scheme === "hmac-sha256" ? s : null);
  const choose = (scheme: SigningState["scheme"]) => {
    if (scheme === s.scheme) return;
    if (s.scheme === "hmac-sha256") setLastHmac(s);
    props.onChange(
      scheme === "standard-webhooks"
        ? { scheme, secret: "" }
        : (lastHmac ?? {
            scheme,
            header: "X-Signature-256",
            payload: "body",
            encoding: "hex",
            prefix: "sha256=",
            secret: "",
          }),
    );
  };
  const errors = fieldErrors(props.errors, "signing");
  return (
    <fieldset>
      <legend>Signing</legend>
      <div class="choice-list" role="radiogroup" aria-label="Signing scheme">
        <SchemeChoice
          checked={s.scheme === "standard-webhooks"}
          onChoose={() => choose("standard-webhooks")}
          title={
            <>
              <strong>Standard Webhooks</strong> (recommended)
            </>
          }
        >
          <code>webhook-id</code>, <code>webhook-timestamp</code> and <code>webhook-signature</code> headers;
          receivers verify with any Standard Webhooks library.
        </SchemeChoice>
        <SchemeChoice
          checked={s.scheme === "hmac-sha256"}
          onChoose={() => choose("hmac-sha256")}
          title={<strong>HMAC-SHA256, compatibility profile</strong>}
        >
          one header of your choice, for receivers written for another platform.
        </SchemeChoice>
      </div>
      {s.scheme === "hmac-sha256" && (
        <div class="hmac-fields">
          {!props.readOnly && (
            <div class="row presets">
              <span class="muted">Start from:</span>
              {HMAC_PRESETS.map((p) => (
                <button
                  key={p.label}
                  type="button"
                  class="secondary"
                  onClick={() => props.onChange({ ...s, ...p.value })}
                >
                  {p.label}
                </button>
              ))}
            </div>
          )}
          <div class="grid-2">
            <FormField label="Signature header" hint="e.g. X-Hub-Signature-256">
              <input
                value={s.header}
                spellcheck={false}
                onInput={(e) => props.onChange({ ...s, header: e.currentTarget.value })}
              />
            </FormField>
            <SelectField
              label="Signed payload"
              value={s.payload}
              options={[
                ["body", "the body"],
                ["url+body", "the URL followed by the body"],
              ]}
              onChange={(payload) => props.onChange({ ...s, payload })}
            />
            <SelectField
              label="Encoding"
              value={s.encoding}
              options={[
                ["hex", "hex"],
                ["base64", "base64"],
              ]}
              onChange={(encoding) => props.onChange({ ...s, encoding })}
            />
            <FormField label="Prefix" hint="Put before the signature, e.g. sha256=; may be empty.">
              <input
                value={s.prefix}
                maxLength={32}
                spellcheck={false}
                onInput={(e) => props.onChange({ ...s, prefix: e.currentTarget.value })}
              />
            </FormField>
          </div>
        </div>
      )}
      {props.withSecret && (
        <FormField
          label="Signing secret (optional)"
          hint={
            s.scheme === "standard-webhooks"
              ? "Leave empty to have one generated (whsec_…); you can reveal and copy it afterwards. Your own must be whsec_ followed by base64."
              : "The shared secret your receiver checks with, at least 8 characters. Leave empty to have one generated."
          }
        >
          <input
            type="password"
            autocomplete="off"
            value={s.secret}
            onInput={(e) => props.onChange({ ...s, secret: e.currentTarget.value })}
          />
        </FormField>
      )}
      <Problems messages={errors} />
    </fieldset>
  );
}
