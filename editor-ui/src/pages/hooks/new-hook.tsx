// New hook: the kind first (two large choices, as the seeds' "configure new webhook" does), then
// the form for that kind. Create → the hook's own page; a refusal shows next to the form and under
// the fields it names.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { type Client, ok } from "../../api/client";
import { href, navigate } from "../../router";
import { canEdit, useSession } from "../../session-context";
import { useAction } from "../../ui/async";
import { ErrorNotice } from "../../ui/error-notice";
import { EmptyState, Page } from "../../ui/layout";
import { markCreated } from "./created-notice";
import { CallbackFields, CommonFields, FunctionFields } from "./form/fields";
import {
  type CommonState,
  callbackCreateBody,
  emptyCallback,
  emptyFunction,
  formProblem,
  functionCreateBody,
} from "./form/model";
import "./form/hook-form.css";

type Kind = "callback" | "function";

export function NewHookPage({ ws, kind }: { ws: string; kind: Kind | null }) {
  const { role } = useSession();
  if (!canEdit(role)) {
    return (
      <Page title="New hook">
        <EmptyState title="Only admins create hooks">
          <p>
            Your key can read hooks and their logs, retry and replay.{" "}
            <a href={href(ws, "hooks")}>Back to the hooks</a>
          </p>
        </EmptyState>
      </Page>
    );
  }
  if (!kind) return <KindChoice ws={ws} />;
  return (
    <Page
      title={kind === "callback" ? "New callback hook" : "New serverless function hook"}
      actions={
        <a class="button secondary" href={href(ws, "hooks", "new")}>
          Change kind
        </a>
      }
    >
      {kind === "callback" ? <NewCallbackForm ws={ws} /> : <NewFunctionForm ws={ws} />}
    </Page>
  );
}

export function KindChoice({ ws }: { ws: string }) {
  return (
    <Page
      title="New hook"
      actions={
        <a class="button secondary" href={href(ws, "hooks")}>
          Cancel
        </a>
      }
    >
      <p class="muted">What should happen when an event you subscribe to occurs?</p>
      <div class="kind-choices">
        <a class="card kind-choice" href={href(ws, "hooks", "new", "callback")}>
          <span class="kind-title">Callback</span>
          <span>An HTTP request to your URLs, signed, for every event.</span>
          <ul>
            <li>POST, PUT or GET to up to 10 URLs</li>
            <li>Custom headers such as an API key</li>
            <li>Standard Webhooks signatures, or an HMAC header your receiver already checks</li>
            <li>Retried on failure; every attempt logged</li>
          </ul>
        </a>
        <a class="card kind-choice" href={href(ws, "hooks", "new", "function")}>
          <span class="kind-title">Serverless function</span>
          <span>Your own TypeScript runs on each event, here, in an isolated sandbox.</span>
          <ul>
            <li>Reshape the event, call any API with fetch, decide what to do</li>
            <li>Secrets for your tokens, read as ctx.secrets</li>
            <li>Memory, CPU and time limits you choose</li>
            <li>Edit, test and deploy the code after creating it</li>
          </ul>
        </a>
      </div>
    </Page>
  );
}

type CreateBody = Parameters<Client["v1"]["workspaces"][":ws"]["hooks"]["$post"]>[0]["json"];

/** A create form's state, from `empty`; creating posts `bodyOf(state)` and opens the new hook. */
function useCreateForm<S extends CommonState>(ws: string, empty: () => S, bodyOf: (state: S) => CreateBody) {
  const { client } = useSession();
  const [state, setState] = useState<S>(empty);
  const set = (patch: Partial<S>) => setState((s) => ({ ...s, ...patch }));
  const create = useAction(async () => {
    const problem = formProblem(state);
    if (problem) throw problem;
    const hook = await ok(client.v1.workspaces[":ws"].hooks.$post({ param: { ws }, json: bodyOf(state) }));
    markCreated(hook.id);
    navigate(href(ws, "hooks", hook.id));
  });
  return { ws, state, set, create };
}

/** The frame of a create form: what every hook has, then `children` (the kind's own fields). */
function CreateForm<S extends CommonState>(props: {
  label: string;
  form: ReturnType<typeof useCreateForm<S>>;
  children: ComponentChildren;
}) {
  const { ws, state, set, create } = props.form;
  return (
    <form
      class="hook-form"
      aria-label={props.label}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void create.run();
      }}
    >
      <section class="card">
        <CommonFields ws={ws} state={state} set={set} errors={create.error} showEnabled />
      </section>
      <section class="card">{props.children}</section>
      <Submit ws={ws} pending={create.pending} error={create.error} onDismiss={create.clearError} />
    </form>
  );
}

function NewCallbackForm({ ws }: { ws: string }) {
  const form = useCreateForm(ws, emptyCallback, callbackCreateBody);
  return (
    <CreateForm label="New callback hook" form={form}>
      <CallbackFields state={form.state} set={form.set} errors={form.create.error} withSecret />
    </CreateForm>
  );
}

function NewFunctionForm({ ws }: { ws: string }) {
  const form = useCreateForm(ws, emptyFunction, functionCreateBody);
  return (
    <CreateForm label="New function hook" form={form}>
      <FunctionFields state={form.state} set={form.set} errors={form.create.error} />
      <p class="muted">
        The code comes next: the hook starts with a template you edit, test and deploy on its Code tab.
      </p>
    </CreateForm>
  );
}

function Submit(props: {
  ws: string;
  pending: boolean;
  error: ReturnType<typeof useAction>["error"];
  onDismiss(): void;
}) {
  return (
    <>
      <ErrorNotice error={props.error} onDismiss={props.onDismiss} />
      <div class="form-actions">
        <button type="submit" disabled={props.pending}>
          {props.pending ? "Creating…" : "Create hook"}
        </button>
        <a class="button secondary" href={href(props.ws, "hooks")}>
          Cancel
        </a>
      </div>
    </>
  );
}
