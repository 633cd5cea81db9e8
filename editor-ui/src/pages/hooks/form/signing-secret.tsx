// A callback's signing secret: masked by default; admins reveal it (with the previous one while a
// rotation's grace period runs), copy it, and rotate it with a grace period.
import { useState } from "preact/hooks";
import { asFailure, ok } from "../../../api/client";
import type { CallbackHook } from "../../../api/types";
import { useSession } from "../../../session-context";
import { useAction } from "../../../ui/async";
import { ErrorNotice } from "../../../ui/error-notice";
import { copyText, formatTime } from "../../../ui/format";
import { FormField } from "./fields";
import "./hook-form.css";

interface Revealed {
  secret: string;
  previousSecret: string | null;
  previousExpiresAt: string | null;
}

const GRACE_CHOICES: [number, string][] = [
  [0, "none: the old secret stops at once"],
  [3600, "1 hour"],
  [86400, "24 hours (default)"],
  [3 * 86400, "3 days"],
  [7 * 86400, "7 days"],
];

export function SigningSecretPanel(props: {
  ws: string;
  hook: CallbackHook;
  editable: boolean;
  onChanged(hook: CallbackHook): void;
}) {
  const { client } = useSession();
  const { ws, hook } = props;
  const param = { ws, id: hook.id };
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const [rotating, setRotating] = useState(false);
  const [grace, setGrace] = useState(86400);
  const [newSecret, setNewSecret] = useState("");
  const [copied, setCopied] = useState<string | null>(null);

  const reveal = useAction(async () => {
    setRevealed(await ok(client.v1.workspaces[":ws"].hooks[":id"]["signing-secret"].$get({ param })));
  });
  const rotate = useAction(async () => {
    const json = { graceSeconds: grace, ...(newSecret ? { secret: newSecret } : {}) };
    const next = await ok(
      client.v1.workspaces[":ws"].hooks[":id"]["signing-secret"].rotate.$post({ param, json }),
    );
    setRevealed(next);
    setRotating(false);
    setNewSecret("");
    const fresh = await ok(client.v1.workspaces[":ws"].hooks[":id"].$get({ param }));
    if (fresh.kind === "callback") props.onChanged(fresh);
  });
  const copy = useAction(async (what: string, text: string) => {
    try {
      await copyText(text);
    } catch (error) {
      throw asFailure(
        new Error(`could not copy to the clipboard (${asFailure(error).message}); select it instead`),
      );
    }
    setCopied(what);
    setTimeout(() => setCopied(null), 2000);
  });

  return (
    <div class="signing-secret">
      <h2>Signing secret</h2>
      <p class="hint">
        Your receiver checks each request's signature with this secret, so it knows the request came from here
        and was not changed on the way.
      </p>
      <section class="secret-line" aria-label="Current signing secret">
        <span>Current:</span>
        <code>{revealed ? revealed.secret : hook.signing.secret}</code>
        {props.editable && !revealed && (
          <button type="button" class="secondary" disabled={reveal.pending} onClick={() => void reveal.run()}>
            {reveal.pending ? "Revealing…" : "Reveal"}
          </button>
        )}
        {revealed && (
          <>
            <button type="button" class="secondary" onClick={() => void copy.run("current", revealed.secret)}>
              {copied === "current" ? "Copied" : "Copy"}
            </button>
            <button type="button" class="secondary" onClick={() => setRevealed(null)}>
              Hide
            </button>
          </>
        )}
      </section>
      {revealed?.previousSecret && (
        <section class="secret-line" aria-label="Previous signing secret">
          <span>Previous:</span>
          <code>{revealed.previousSecret}</code>
          <button
            type="button"
            class="secondary"
            aria-label="Copy the previous secret"
            onClick={() => void copy.run("previous", revealed.previousSecret ?? "")}
          >
            {copied === "previous" ? "Copied" : "Copy"}
          </button>
          <span class="muted">still signs until {formatTime(revealed.previousExpiresAt)}</span>
        </section>
      )}
      {!revealed && hook.signing.rotatingUntil && (
        <p class="muted">
          Rotating: the previous secret also signs every request until{" "}
          {formatTime(hook.signing.rotatingUntil)}.
        </p>
      )}
      <span class="visually-hidden" role="status">
        {copied ? "Copied to the clipboard" : ""}
      </span>
      <ErrorNotice error={reveal.error} onDismiss={reveal.clearError} />
      <ErrorNotice error={copy.error} onDismiss={copy.clearError} />
      {!props.editable && <p class="muted">Only admins can reveal or rotate the secret.</p>}
      {props.editable && !rotating && (
        <button type="button" class="secondary" onClick={() => setRotating(true)}>
          Rotate secret…
        </button>
      )}
      {props.editable && rotating && (
        <div class="card rotate-form">
          <p class="hint">
            A new secret signs every request from now on. During the grace period each request carries a
            signature with the old secret too, so your receiver keeps accepting them while you switch it over.
          </p>
          <div class="grid-2">
            <FormField label="Grace period">
              <select value={String(grace)} onChange={(e) => setGrace(Number(e.currentTarget.value))}>
                {GRACE_CHOICES.map(([seconds, label]) => (
                  <option key={seconds} value={String(seconds)}>
                    {label}
                  </option>
                ))}
              </select>
            </FormField>
            <FormField
              label="New secret (optional)"
              hint={
                hook.signing.scheme === "standard-webhooks"
                  ? "Leave empty to have one generated. Your own: whsec_ followed by base64."
                  : "Leave empty to have one generated; your own needs at least 8 characters."
              }
            >
              <input
                type="password"
                autocomplete="off"
                value={newSecret}
                onInput={(e) => setNewSecret(e.currentTarget.value)}
              />
            </FormField>
          </div>
          <ErrorNotice error={rotate.error} onDismiss={rotate.clearError} />
          <div class="form-actions">
            <button type="button" disabled={rotate.pending} onClick={() => void rotate.run()}>
              {rotate.pending ? "Rotating…" : "Rotate now"}
            </button>
            <button
              type="button"
              class="secondary"
              onClick={() => {
                setRotating(false);
                rotate.clearError();
              }}
            >
              Cancel
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
