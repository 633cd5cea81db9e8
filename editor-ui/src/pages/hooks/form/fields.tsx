// The fields both hook forms share (create and settings): events, retry, URLs, method, timeout,
// headers and secrets (write-only maps), signing, and function limits. Each shows the service's
// complaints about it (ApiFailure details whose path names it) right under it.
import { type ComponentChildren, cloneElement, type VNode } from "preact";
import { useId, useState } from "preact/hooks";
import { type ApiFailure, ok } from "../../../api/client";
import { href } from "../../../router";
import { useSession } from "../../../session-context";
import { useLoad } from "../../../ui/async";
import { ErrorNotice } from "../../../ui/error-notice";
import {
  type CallbackState,
  type CommonState,
  EVENT_PATTERN,
  type FunctionState,
  fieldErrors,
  HEADER_NAME,
  type Limits,
  MAX_ATTEMPTS,
  type MapRow,
  type Method,
  newRow,
  parseUrls,
  RESERVED_HEADERS,
  retryLabel,
  retrySchedule,
  SECRET_NAME,
  type SigningState,
} from "./model";
import "./hook-form.css";

type Errors = ApiFailure | null;

/**
 * A labelled control with its hint and its errors (the service's and the form's own checks). The
 * label names the control by itself; the hint and errors describe it (aria-describedby).
 */
export function FormField(props: {
  label: string;
  hint?: ComponentChildren;
  errors?: string[];
  children: VNode;
}) {
  const id = useId();
  const errors = props.errors ?? [];
  const described = Boolean(props.hint) || errors.length > 0;
  return (
    <div class="field form-field">
      {/* biome-ignore lint/a11y/noLabelWithoutControl: the control is passed in as a child */}
      <label class="form-field-label">
        <span class="label">{props.label}</span>
        {described
          ? cloneElement(props.children, {
              "aria-describedby": id,
              "aria-invalid": errors.length > 0 || undefined,
            })
          : props.children}
      </label>
      {described && (
        <small class="hint" id={id}>
          {props.hint}
          {errors.map((e) => (
            <span key={e} class="field-error">
              {e}
            </span>
          ))}
        </small>
      )}
    </div>
  );
}

function Problems({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <div class="field-errors">
      {messages.map((m) => (
        <span key={m} class="field-error">
          {m}
        </span>
      ))}
    </div>
  );
}

/** Name, description, events and retry: what every hook has. `enabled` only when creating. */
export function CommonFields<S extends CommonState>(props: {
  ws: string;
  state: S;
  set(patch: Partial<CommonState>): void;
  errors: Errors;
  disabled?: boolean;
  showEnabled?: boolean;
}) {
  const { state, set, errors } = props;
  return (
    <>
      <div class="grid-2">
        <FormField
          label="Name"
          hint="Unique in this workspace; say what it is for, e.g. “CRM sync”."
          errors={fieldErrors(errors, "name")}
        >
          <input
            value={state.name}
            maxLength={100}
            required
            onInput={(e) => set({ name: e.currentTarget.value })}
          />
        </FormField>
        <RetryField
          value={state.maxAttempts}
          onChange={(maxAttempts) => set({ maxAttempts })}
          errors={errors}
        />
      </div>
      <FormField label="Description" hint="Optional." errors={fieldErrors(errors, "description")}>
        <textarea
          class="plain"
          rows={2}
          maxLength={2000}
          value={state.description}
          onInput={(e) => set({ description: e.currentTarget.value })}
        />
      </FormField>
      <EventsPicker
        ws={props.ws}
        value={state.events}
        onChange={(events) => set({ events })}
        errors={fieldErrors(errors, "events")}
        disabled={props.disabled}
      />
      {props.showEnabled && (
        <label class="check">
          <input
            type="checkbox"
            checked={state.enabled}
            onChange={(e) => set({ enabled: e.currentTarget.checked })}
          />
          <span>
            <strong>Enabled</strong> <span class="muted">— receives events as soon as it is created</span>
          </span>
        </label>
      )}
    </>
  );
}

export function RetryField(props: { value: number; onChange(value: number): void; errors: Errors }) {
  const attempts = Array.from({ length: MAX_ATTEMPTS }, (_, i) => i + 1);
  return (
    <FormField
      label="Max attempts"
      hint={`A failed delivery is tried again after ${retrySchedule()} (±20%).`}
      errors={fieldErrors(props.errors, "retry")}
    >
      <select value={String(props.value)} onChange={(e) => props.onChange(Number(e.currentTarget.value))}>
        {attempts.map((n) => (
          <option key={n} value={String(n)}>
            {retryLabel(n)}
            {n === MAX_ATTEMPTS ? " (default)" : ""}
          </option>
        ))}
      </select>
    </FormField>
  );
}

/** Event types from the workspace's catalog as checkboxes, plus free patterns (`order.*`, `*`). */
export function EventsPicker(props: {
  ws: string;
  value: string[];
  onChange(events: string[]): void;
  errors: string[];
  disabled?: boolean | undefined;
}) {
  const { client } = useSession();
  const catalog = useLoad(
    () => ok(client.v1.workspaces[":ws"]["event-types"].$get({ param: { ws: props.ws } })),
    [client, props.ws],
  );
  const [pattern, setPattern] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const names = new Set((catalog.data?.data ?? []).map((t) => t.name));
  const others = props.value.filter((e) => !names.has(e));

  const toggle = (name: string, on: boolean) =>
    props.onChange(on ? [...props.value, name] : props.value.filter((e) => e !== name));
  const add = () => {
    const value = pattern.trim();
    if (!value) return;
    if (!EVENT_PATTERN.test(value)) {
      setProblem("Use an event type name, a prefix with .* (order.*) or * for every event.");
      return;
    }
    if (props.value.includes(value)) {
      setProblem(`“${value}” is already subscribed.`);
      return;
    }
    setProblem(null);
    props.onChange([...props.value, value]);
    setPattern("");
  };

  return (
    <fieldset class="events-picker" aria-invalid={props.errors.length > 0}>
      <legend>Events</legend>
      <p class="hint">
        The hook receives these events. Pick from the <a href={href(props.ws, "event-types")}>catalog</a>, or
        subscribe with a pattern.
      </p>
      {catalog.loading && !catalog.data && <p class="muted">Loading the event catalog…</p>}
      <ErrorNotice error={catalog.error} />
      {catalog.data && catalog.data.data.length === 0 && (
        <p class="muted">The catalog is empty: add event types first, or subscribe with a pattern below.</p>
      )}
      {catalog.data && catalog.data.data.length > 0 && (
        <ul class="event-options">
          {catalog.data.data.map((t) => (
            <li key={t.name}>
              <label>
                <input
                  type="checkbox"
                  checked={props.value.includes(t.name)}
                  onChange={(e) => toggle(t.name, e.currentTarget.checked)}
                  aria-describedby={t.description ? `event-desc-${t.name}` : undefined}
                />
                <code>{t.name}</code>
              </label>
              {t.description && (
                <span id={`event-desc-${t.name}`} class="muted">
                  {t.description}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 && (
        <ul class="tags chosen-patterns" aria-label="Patterns and other subscriptions">
          {others.map((e) => (
            <li key={e} class="badge">
              <code>{e}</code>
              {!props.disabled && (
                <button
                  type="button"
                  class="link"
                  aria-label={`Remove ${e}`}
                  onClick={() => toggle(e, false)}
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {!props.disabled && (
        <div class="row pattern-row">
          <FormField
            label="Add a pattern"
            hint={
              <>
                <code>order.*</code> covers order.created, order.paid… (also types added later);{" "}
                <code>*</code> covers every event.
              </>
            }
            errors={problem ? [problem] : []}
          >
            <input
              value={pattern}
              placeholder="order.*"
              onInput={(e) => setPattern(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter") {
                  e.preventDefault();
                  add();
                }
              }}
            />
          </FormField>
          <button type="button" class="secondary" onClick={add}>
            Add pattern
          </button>
        </div>
      )}
      <Problems messages={props.errors} />
    </fieldset>
  );
}

/** One of a few fixed values, as a labelled select. */
function SelectField<V extends string>(props: {
  label: string;
  hint?: string;
  errors?: string[];
  value: V;
  options: readonly (readonly [V, string])[];
  onChange(value: V): void;
}) {
  return (
    <FormField label={props.label} hint={props.hint} errors={props.errors}>
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as V)}>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </FormField>
  );
}

export function MethodField(props: { value: Method; onChange(method: Method): void; errors: Errors }) {
  return (
    <SelectField
      label="Method"
      hint={
        props.value === "GET"
          ? "GET sends no body: the event travels as query parameters (event_id, event_type, timestamp and the top-level scalar fields of data)."
          : "The event is the JSON body: {id, type, timestamp, workspace, data, context}."
      }
      errors={fieldErrors(props.errors, "method")}
      value={props.value}
      options={[
        ["POST", "POST"],
        ["PUT", "PUT"],
        ["GET", "GET (query parameters)"],
      ]}
      onChange={props.onChange}
    />
  );
}

export function UrlsField(props: {
  value: string;
  onChange(text: string): void;
  errors: Errors;
  disabledUrls?: CallbackDisabledUrl[];
  /** The service's warnings about saved URLs the egress guard refuses. */
  warnings?: string[];
  reenable?: { on: boolean; set(on: boolean): void; readOnly: boolean };
}) {
  const count = parseUrls(props.value).length;
  const own = count > 10 ? [`${count} URLs: at most 10.`] : [];
  return (
    <>
      <FormField
        label="URLs"
        hint="One per line, up to 10. Each URL gets its own delivery of every event, retried on its own."
        errors={[...own, ...fieldErrors(props.errors, "urls")]}
      >
        <textarea
          rows={Math.min(Math.max(count + 1, 2), 10)}
          value={props.value}
          placeholder="https://receiver.example.com/hooks"
          spellcheck={false}
          onInput={(e) => props.onChange(e.currentTarget.value)}
        />
      </FormField>
      {props.warnings && props.warnings.length > 0 && (
        <div class="notice egress-warnings" role="status">
          <div class="notice-body">
            <strong>Refused by the egress guard</strong>
            <ul>
              {props.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          </div>
        </div>
      )}
      {props.disabledUrls && props.disabledUrls.length > 0 && (
        <div class="notice disabled-urls" role="status">
          <div class="notice-body">
            <strong>
              {props.disabledUrls.length === 1 ? "1 URL is" : `${props.disabledUrls.length} URLs are`}{" "}
              disabled
            </strong>
            <ul>
              {props.disabledUrls.map((d) => (
                <li key={d.url}>
                  <code>{d.url}</code> — {d.reason} ({new Date(d.at).toLocaleString()})
                </li>
              ))}
            </ul>
            <span>
              A receiver answered 410 Gone, so these get nothing. Saving the URLs enables every URL in the
              list again; remove a URL from the list to drop it.
            </span>
            {props.reenable && !props.reenable.readOnly && (
              <label class="check">
                <input
                  type="checkbox"
                  checked={props.reenable.on}
                  onChange={(e) => props.reenable?.set(e.currentTarget.checked)}
                />
                Enable them again when I save
              </label>
            )}
          </div>
        </div>
      )}
    </>
  );
}

type CallbackDisabledUrl = { url: string; at: string; reason: string };

/** A number typed as text (so an empty or half-typed value stays as the user left it). */
function NumberField(props: {
  label: string;
  hint: string;
  errors: string[];
  min: number;
  max: number;
  step: number;
  value: string;
  onChange(value: string): void;
}) {
  return (
    <FormField label={props.label} hint={props.hint} errors={props.errors}>
      <input
        type="number"
        min={props.min}
        max={props.max}
        step={props.step}
        value={props.value}
        onInput={(e) => props.onChange(e.currentTarget.value)}
      />
    </FormField>
  );
}

export function TimeoutField(props: { value: string; onChange(v: string): void; errors: Errors }) {
  return (
    <NumberField
      label="Timeout (seconds)"
      hint="How long to wait for the receiver's answer; 1–30, default 10. A timeout is a failed attempt."
      errors={fieldErrors(props.errors, "timeoutMs")}
      min={1}
      max={30}
      step={1}
      value={props.value}
      onChange={props.onChange}
    />
  );
}

/**
 * A write-only map (callback headers, function secrets): stored entries show their name and masked
 * value and can get a new value or be removed; new entries are name/value rows.
 */
export function SecretMapEditor(props: {
  noun: "header" | "secret";
  rows: MapRow[];
  onChange(rows: MapRow[]): void;
  max: number;
  errors: string[];
  readOnly?: boolean;
  namePlaceholder: string;
  valuePlaceholder: string;
}) {
  const [show, setShow] = useState(false);
  const Noun = props.noun === "header" ? "Header" : "Secret";
  const update = (id: number, patch: Partial<MapRow>) =>
    props.onChange(props.rows.map((r) => (r.id === id ? { ...r, ...patch } : r)));
  const drop = (id: number) => props.onChange(props.rows.filter((r) => r.id !== id));
  const live = props.rows.filter((r) => !r.removed).length;
  let added = 0;

  return (
    <div class="map-editor">
      {props.rows.length === 0 && <p class="muted">No {props.noun}s.</p>}
      {props.rows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
              {!props.readOnly && (
                <th scope="col" class="visually-hidden">
                  Actions
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => {
              if (row.masked !== null) {
                return (
                  <tr key={row.id} class={row.removed ? "removed" : undefined}>
                    <td>
                      <code>{row.name}</code>
                      {row.removed && <span class="badge bad">removed on save</span>}
                    </td>
                    <td>
                      <div class="masked-value">
                        <code class="muted" title="Stored encrypted; only the last characters are shown">
                          {row.masked}
                        </code>
                        {!props.readOnly && !row.removed && (
                          <input
                            type={show ? "text" : "password"}
                            autocomplete="off"
                            aria-label={`New value for ${props.noun} ${row.name}`}
                            placeholder="Keep the stored value"
                            value={row.value}
                            onInput={(e) => update(row.id, { value: e.currentTarget.value })}
                          />
                        )}
                      </div>
                    </td>
                    {!props.readOnly && (
                      <td class="row-actions">
                        <button
                          type="button"
                          class={row.removed ? "secondary" : "danger"}
                          aria-label={`${row.removed ? "Keep" : "Remove"} ${props.noun} ${row.name}`}
                          onClick={() => update(row.id, { removed: !row.removed, value: "" })}
                        >
                          {row.removed ? "Keep" : "Remove"}
                        </button>
                      </td>
                    )}
                  </tr>
                );
              }
              added += 1;
              const n = added;
              const name = row.name.trim();
              const problem =
                !name && row.value
                  ? `Give this ${props.noun} a name, or it is not saved.`
                  : nameProblem(props.noun, name);
              return (
                <tr key={row.id}>
                  <td>
                    <input
                      aria-label={`${Noun} ${n} name`}
                      placeholder={props.namePlaceholder}
                      value={row.name}
                      spellcheck={false}
                      aria-invalid={problem !== null}
                      onInput={(e) => update(row.id, { name: e.currentTarget.value })}
                    />
                    {problem && <span class="field-error">{problem}</span>}
                  </td>
                  <td>
                    <input
                      type={show ? "text" : "password"}
                      autocomplete="off"
                      aria-label={`${Noun} ${n} value`}
                      placeholder={props.valuePlaceholder}
                      value={row.value}
                      onInput={(e) => update(row.id, { value: e.currentTarget.value })}
                    />
                  </td>
                  <td class="row-actions">
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Remove ${props.noun} ${n}`}
                      onClick={() => drop(row.id)}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {!props.readOnly && (
        <div class="row map-actions">
          <button
            type="button"
            class="secondary"
            disabled={live >= props.max}
            onClick={() => props.onChange([...props.rows, newRow()])}
          >
            Add {props.noun}
          </button>
          <label class="check">
            <input type="checkbox" checked={show} onChange={(e) => setShow(e.currentTarget.checked)} />
            Show what I type
          </label>
          <span class="muted">
            {live} of at most {props.max}
          </span>
        </div>
      )}
      <Problems messages={props.errors} />
    </div>
  );
}

function nameProblem(noun: "header" | "secret", name: string): string | null {
  if (!name) return null;
  if (noun === "header") {
    if (!HEADER_NAME.test(name)) return "Not a valid header name.";
    if (RESERVED_HEADERS.has(name.toLowerCase())) return "hookrun sets this header itself.";
    return null;
  }
  return SECRET_NAME.test(name) ? null : "Letters, digits and _, not starting with a digit.";
}

/** What differs between the two write-only maps: headers (callbacks) and secrets (functions). */
const MAP_FIELDS = {
  header: {
    legend: "Headers",
    path: "headers",
    max: 20,
    namePlaceholder: "X-Api-Key",
    hint: () => (
      <>
        Sent with every request — typically an API key the receiver checks (<code>X-Api-Key</code>,{" "}
        <code>Authorization</code>). Values are secret: stored encrypted, shown masked, redacted in the logs.
      </>
    ),
  },
  secret: {
    legend: "Secrets",
    path: "secrets",
    max: 50,
    namePlaceholder: "CRM_TOKEN",
    hint: () => (
      <>
        Your function reads them as <code>ctx.secrets.NAME</code>. Write-only: stored encrypted, never shown
        again.
      </>
    ),
  },
} as const;

/** A callback's headers or a function's secrets, with the service's complaints about them. */
export function SecretMapField(props: {
  noun: "header" | "secret";
  rows: MapRow[];
  onChange(rows: MapRow[]): void;
  errors: Errors;
  readOnly?: boolean;
}) {
  const field = MAP_FIELDS[props.noun];
  return (
    <fieldset>
      <legend>{field.legend}</legend>
      <p class="hint">{field.hint()}</p>
      <SecretMapEditor
        noun={props.noun}
        rows={props.rows}
        onChange={props.onChange}
        max={field.max}
        errors={fieldErrors(props.errors, field.path)}
        readOnly={props.readOnly}
        namePlaceholder={field.namePlaceholder}
        valuePlaceholder="the value"
      />
    </fieldset>
  );
}

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

/** One signing scheme as a radio: its name, then what it means for the receiver. */
function SchemeChoice(props: {
  checked: boolean;
  onChoose(): void;
  title: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <label class="check">
      <input type="radio" name="signing-scheme" checked={props.checked} onChange={props.onChoose} />
      <span>
        {props.title} — <span class="muted">{props.children}</span>
      </span>
    </label>
  );
}

/** How each request is signed. `withSecret`: creating, where a secret may be given. */
export function SigningFields(props: {
  value: SigningState;
  onChange(value: SigningState): void;
  errors: Errors;
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

const LIMIT_FIELDS = [
  { key: "memoryMb", label: "Memory (MB)", hint: "8–128, default 64.", min: 8, max: 128, step: 1 },
  {
    key: "timeoutMs",
    label: "Timeout (ms)",
    hint: "Wall clock, waiting on fetch included; 100–30000, default 10000.",
    min: 100,
    max: 30000,
    step: 100,
  },
  {
    key: "cpuMs",
    label: "CPU time (ms)",
    hint: "Time spent computing; 10 up to the timeout, default 1000.",
    min: 10,
    max: 30000,
    step: 10,
  },
] as const;

export function LimitsFields(props: { value: Limits; onChange(value: Limits): void; errors: Errors }) {
  const v = props.value;
  const cpuOver = Number(v.cpuMs) > Number(v.timeoutMs) ? ["CPU time must not exceed the timeout."] : [];
  return (
    <fieldset>
      <legend>Limits</legend>
      <p class="hint">
        A run that exceeds a limit is stopped and counts as a failed attempt (and is retried).
      </p>
      <div class="row">
        {LIMIT_FIELDS.map(({ key, ...field }) => (
          <NumberField
            key={key}
            {...field}
            errors={[...(key === "cpuMs" ? cpuOver : []), ...fieldErrors(props.errors, `limits.${key}`)]}
            value={v[key]}
            onChange={(value) => props.onChange({ ...v, [key]: value })}
          />
        ))}
      </div>
      <Problems
        messages={fieldErrors(props.errors, "limits").filter((m) => !/^(memoryMb|timeoutMs|cpuMs)/.test(m))}
      />
    </fieldset>
  );
}

/** Method, timeout, URLs, headers and signing: a callback's delivery, when creating and in settings. */
export function CallbackFields(props: {
  state: CallbackState;
  set(patch: Partial<CallbackState>): void;
  errors: Errors;
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
    </>
  );
}

/** Limits and secrets: a function's runtime, when creating and in settings. */
export function FunctionFields(props: {
  state: FunctionState;
  set(patch: Partial<FunctionState>): void;
  errors: Errors;
  readOnly?: boolean;
}) {
  const { state, set, errors } = props;
  return (
    <>
      <LimitsFields value={state.limits} onChange={(limits) => set({ limits })} errors={errors} />
      <SecretMapField
        noun="secret"
        rows={state.secrets}
        onChange={(secrets) => set({ secrets })}
        errors={errors}
        readOnly={props.readOnly}
      />
    </>
  );
}
