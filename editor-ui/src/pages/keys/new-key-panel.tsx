// The one time a key is shown: the key, a Copy button and the warning that it will not be shown
// again. It stays until the user says it is saved.
import { useEffect, useId, useRef, useState } from "preact/hooks";
import type { CreatedApiKey } from "../../api/types";
import { copyText } from "../../ui/format";

export function NewKeyPanel(props: { ws: string; created: CreatedApiKey; onDismiss(): void }) {
  const { created } = props;
  const titleId = useId();
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");
  const input = useRef<HTMLInputElement>(null);
  const panel = useRef<HTMLElement>(null);

  // The panel takes focus when it appears, so keyboard and screen-reader users land on the key.
  useEffect(() => {
    panel.current?.focus();
  }, [created.id]);

  // Closing or reloading the tab while the key is on screen would lose it: the browser asks first.
  useEffect(() => {
    const guard = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = "";
    };
    addEventListener("beforeunload", guard);
    return () => removeEventListener("beforeunload", guard);
  }, []);

  const copyKey = async () => {
    try {
      await copyText(created.key);
      setCopy("copied");
    } catch {
      setCopy("failed");
      input.current?.select();
    }
  };

  return (
    <section class="card keys-reveal" aria-labelledby={titleId} tabIndex={-1} ref={panel}>
      <h2 id={titleId}>
        Key “{created.name}” created ({created.role})
      </h2>
      <p class="keys-warning">
        <strong>Copy it now: you will not see it again.</strong> hookrun keeps only a hash of the key; if it
        is lost, revoke it and create a new one.
      </p>
      <div class="keys-secret">
        <input
          ref={input}
          class="mono"
          readOnly
          aria-label="Your new API key"
          value={created.key}
          spellcheck={false}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" onClick={() => void copyKey()}>
          Copy
        </button>
      </div>
      <p class="keys-copy-state" role="status">
        {copy === "copied" && "Copied to the clipboard."}
        {copy === "failed" &&
          "The browser did not allow copying: the key is selected, press Ctrl+C (⌘C) to copy it."}
      </p>
      <p class="muted">
        Send it as <code>Authorization: Bearer {created.prefix}…</code>
        {created.role === "ingest" && (
          <>
            {" "}
            with <code>POST /v1/workspaces/{props.ws}/events</code>
          </>
        )}
        .
      </p>
      <div>
        <button type="button" class="secondary" onClick={props.onDismiss}>
          I have saved it, hide the key
        </button>
      </div>
    </section>
  );
}
