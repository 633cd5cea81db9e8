// A hook's settings form, whatever its kind: the state seeded from the hook, a PATCH of only what
// changed, save and discard, the read-only notice for operators, the General section (name,
// description, events, retry), the save bar, and delete at the foot. Each kind brings its own
// sections.
import type { ComponentChildren } from "preact";
import { useId, useState } from "preact/hooks";
import { type Client, ok } from "../../../api/client";
import type { CallbackHook, FunctionHook, Hook } from "../../../api/types";
import { canEdit, useSession } from "../../../session-context";
import { type Action, useAction } from "../../../ui/async";
import { DeleteHook } from "./delete-hook";
import { CommonFields } from "./fields";
import { type CommonState, formProblem } from "./model";
import { SaveBar } from "./save-bar";
import "./hook-form.css";

type HookPatch = Parameters<Client["v1"]["workspaces"][":ws"]["hooks"][":id"]["$patch"]>[0]["json"];

export interface SettingsFormModel<H extends CallbackHook | FunctionHook, S extends CommonState> {
  ws: string;
  hook: H;
  /** Admins and root edit; everyone else reads. */
  editable: boolean;
  state: S;
  set(patch: Partial<S>): void;
  /** Something differs from the stored hook. */
  dirty: boolean;
  save: Action<[], void>;
  /** When the last save succeeded, until the next edit. */
  savedAt: number | null;
  /** Back to the stored hook. */
  discard(): void;
}

/** The state of one hook's settings: `stateOf` seeds it from the hook, `patchOf` says what changed. */
export function useSettingsForm<H extends CallbackHook | FunctionHook, S extends CommonState>(
  props: { ws: string; hook: H; onSaved(hook: H): void },
  stateOf: (hook: H) => S,
  patchOf: (state: S, hook: H) => HookPatch,
): SettingsFormModel<H, S> {
  const { ws, hook } = props;
  const { client, role } = useSession();
  const [state, setState] = useState<S>(() => stateOf(hook));
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const patch = patchOf(state, hook);
  const sameKind = (updated: Hook): updated is H => updated.kind === hook.kind;
  const save = useAction(async () => {
    const problem = formProblem(state);
    if (problem) throw problem;
    const updated = await ok(
      client.v1.workspaces[":ws"].hooks[":id"].$patch({ param: { ws, id: hook.id }, json: patch }),
    );
    if (!sameKind(updated)) return;
    props.onSaved(updated);
    setState(stateOf(updated));
    setSavedAt(Date.now());
  });
  return {
    ws,
    hook,
    editable: canEdit(role),
    state,
    set: (changes) => {
      setSavedAt(null);
      setState((s) => ({ ...s, ...changes }));
    },
    dirty: Object.keys(patch).length > 0,
    save,
    savedAt,
    discard: () => {
      save.clearError();
      setState(stateOf(hook));
    },
  };
}

/** A titled card of a settings form. */
export function SettingsSection(props: { title: string; children: ComponentChildren }) {
  const id = useId();
  return (
    <section class="card settings-section" aria-labelledby={id}>
      <h2 id={id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

/**
 * The frame of a settings form: `children` are the kind's own sections (after General), `after`
 * what stands outside the form before delete (panels that act on their own).
 */
export function SettingsForm<H extends CallbackHook | FunctionHook, S extends CommonState>(props: {
  label: string;
  form: SettingsFormModel<H, S>;
  children: ComponentChildren;
  after?: ComponentChildren;
}) {
  const { ws, hook, editable, state, set, dirty, save } = props.form;
  return (
    <div class="hook-form">
      <form
        class="hook-form"
        aria-label={props.label}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (editable && dirty) void save.run();
        }}
      >
        <fieldset class="form-body" disabled={!editable}>
          {!editable && (
            <p class="notice info" role="note">
              You can read these settings; only an admin can change them.
            </p>
          )}
          <SettingsSection title="General">
            <p class="hint">Switch the hook on or off with the switch at the top of the page.</p>
            <CommonFields
              ws={ws}
              hookId={hook.id}
              state={state}
              set={set}
              errors={save.error}
              disabled={!editable}
            />
          </SettingsSection>
          {props.children}
        </fieldset>
        {editable && (
          <SaveBar
            dirty={dirty}
            pending={save.pending}
            error={save.error}
            onDismiss={save.clearError}
            savedAt={props.form.savedAt}
            onDiscard={props.form.discard}
          />
        )}
      </form>
      {props.after}
      {editable && <DeleteHook ws={ws} hook={hook} />}
    </div>
  );
}
