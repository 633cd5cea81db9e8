// Sign-in: an API key, checked against the service before it is kept (in session storage only).
import { useState } from "preact/hooks";
import { ApiFailure, createClient, ok } from "../api/client";
import type { Role } from "../session";
import { useAction } from "../ui/async";
import { ErrorNotice } from "../ui/error-notice";
import { Field } from "../ui/layout";

export function SignIn(props: {
  /** Why the user was signed out, when it was not their own doing. */
  notice: string | null;
  onSignedIn(key: string, role: Role, workspace: string | null): void;
}) {
  const [key, setKey] = useState("");
  const signIn = useAction(async (candidate: string) => {
    const me = await ok(createClient(candidate).v1.me.$get());
    if (me.role === "ingest") {
      // An ingest key may only post events: every page of the editor would answer 403.
      throw new ApiFailure(
        403,
        "forbidden",
        "this is an ingest key: it posts events only. Sign in with an admin or operator key.",
      );
    }
    props.onSignedIn(candidate, me.role, me.workspaceId);
  });
  return (
    <main class="sign-in" id="main">
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          void signIn.run(key.trim());
        }}
      >
        <h1>Sign in to hookrun</h1>
        <p class="muted">
          Use an API key: the root key printed at the first start (also in <code>.hookrun/root.key</code>), or
          a workspace key with role admin or operator. It is kept for this browser tab only.
        </p>
        {props.notice && (
          <p class="notice info" role="status">
            {props.notice}
          </p>
        )}
        <Field label="API key">
          <input
            type="password"
            name="key"
            autoComplete="off"
            required
            // biome-ignore lint/a11y/noAutofocus: the page's one field; typing the key is all there is to do
            autoFocus
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            placeholder="hr_…"
          />
        </Field>
        <ErrorNotice error={signIn.error} />
        <button type="submit" disabled={signIn.pending || key.trim() === ""}>
          {signIn.pending ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
