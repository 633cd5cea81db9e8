// Creating or editing one event type: name, description, and the JSON Schema and example payload as
// JSON text. Both JSON fields are parsed before sending and a problem is shown under the field it was
// typed in (on submit or Format, never on blur: a message appearing as focus leaves a field would move
// the buttons under the pointer). The server's own refusals (a schema that is not JSON Schema, an
// example that does not match it, a taken name) are shown the same way, under the field they concern.

import { EVENT_TYPE_NAME } from "@hookrun/api/browser";
import type { ComponentChildren } from "preact";
import { useId, useRef, useState } from "preact/hooks";
import { type ApiFailure, ok } from "../../api/client";
import type { EventType } from "../../api/types";
import { useSession } from "../../session-context";
import { useAction } from "../../ui/async";
import { ErrorNotice } from "../../ui/error-notice";
import { parseJsonText, toJsonText } from "./json-text";

const SCHEMA_PLACEHOLDER = `{
  "type": "object",
  "required": ["orderId"],
  "properties": { "orderId": { "type": "string" } }
}`;
const EXAMPLE_PLACEHOLDER = `{ "orderId": "o_1" }`;

type FieldName = "name" | "description" | "schema" | "example";
type Problems = Partial<Record<FieldName, string>>;

export function EventTypeForm(props: {
  ws: string;
  /** The event type being edited; absent when creating one. */
  editing?: EventType;
  onSaved(saved: EventType): void;
  onCancel(): void;
}) {
  const { client } = useSession();
  const editing = props.editing;
  const [name, setName] = useState(editing?.name ?? "");
  const [description, setDescription] = useState(editing?.description ?? "");
  const [schemaText, setSchemaText] = useState(toJsonText(editing?.schema));
  const [exampleText, setExampleText] = useState(toJsonText(editing?.example));
  const [problems, setProblems] = useState<Problems>({});
  const formRef = useRef<HTMLFormElement>(null);

  const save = useAction(async (body: { description: string; schema: unknown; example: unknown }) => {
    const ws = props.ws;
    const et = client.v1.workspaces[":ws"]["event-types"];
    const schema = body.schema as Record<string, unknown> | null;
    const saved = editing
      ? await ok(
          et[":name"].$patch({
            param: { ws, name: editing.name },
            json: { description: body.description, schema, example: body.example },
          }),
        )
      : await ok(
          et.$post({
            param: { ws },
            json: {
              name: name.trim(),
              description: body.description,
              ...(schema === null ? {} : { schema }),
              ...(body.example === null ? {} : { example: body.example }),
            },
          }),
        );
    props.onSaved(saved);
  });

  const checkName = (value: string): string | undefined => {
    const trimmed = value.trim();
    if (trimmed === "") return "give the event type a name, e.g. order.paid";
    if (trimmed.length > 100) return "at most 100 characters";
    if (!EVENT_TYPE_NAME.test(trimmed))
      return "letters, digits, '_' and '-', in dot-separated parts (order.paid, insight.summary)";
    return undefined;
  };
  const checkSchema = (text: string): string | undefined => {
    const parsed = parseJsonText(text);
    if (!parsed.ok) return `not valid JSON: ${parsed.message}`;
    if (
      !parsed.empty &&
      (typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value))
    )
      return 'a JSON Schema is a JSON object, e.g. { "type": "object" }';
    return undefined;
  };
  const checkExample = (text: string): string | undefined => {
    const parsed = parseJsonText(text);
    return parsed.ok ? undefined : `not valid JSON: ${parsed.message}`;
  };

  const setProblem = (field: FieldName, problem: string | undefined) =>
    setProblems((current) => ({ ...current, [field]: problem }));

  const submit = () => {
    save.clearError();
    const found: Problems = {
      name: editing ? undefined : checkName(name),
      schema: checkSchema(schemaText),
      example: checkExample(exampleText),
    };
    setProblems(found);
    const first = (["name", "schema", "example"] as const).find((f) => found[f]);
    if (first) {
      formRef.current?.querySelector<HTMLElement>(`[data-field="${first}"]`)?.focus();
      return;
    }
    const schema = parseJsonText(schemaText);
    const example = parseJsonText(exampleText);
    void save.run({
      description: description.trim(),
      schema: schema.ok && !schema.empty ? schema.value : null,
      example: example.ok && !example.empty ? example.value : null,
    });
  };

  const serverField = save.error ? fieldOf(save.error) : null;
  const serverError = (field: FieldName | "form") =>
    serverField === field ? <ErrorNotice error={save.error} onDismiss={save.clearError} /> : null;
  const title = editing ? `Edit ${editing.name}` : "New event type";

  return (
    <form
      ref={formRef}
      class="card et-form"
      aria-label={title}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2>{title}</h2>
      {!editing && (
        <TextField
          label="Name"
          field="name"
          problem={problems.name}
          hint="What the platform posts as the event's type, e.g. order.paid. It cannot be changed later."
        >
          {(attrs) => (
            <input
              {...attrs}
              autoComplete="off"
              spellcheck={false}
              placeholder="order.paid"
              value={name}
              onInput={(e) => {
                setName(e.currentTarget.value);
                if (problems.name) setProblem("name", undefined);
              }}
            />
          )}
        </TextField>
      )}
      {serverError("name")}
      <TextField
        label="Description"
        field="description"
        hint="When the event happens, for the people writing hooks."
      >
        {(attrs) => (
          <textarea
            {...attrs}
            rows={2}
            maxLength={2000}
            class="et-description"
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        )}
      </TextField>
      {serverError("description")}
      <div class="grid-2">
        <div>
          <JsonField
            label="JSON Schema"
            field="schema"
            hint="Optional, draft-07. Posted events whose data does not match it are refused (422). Empty: any data."
            placeholder={SCHEMA_PLACEHOLDER}
            text={schemaText}
            problem={problems.schema}
            invalid={serverField === "schema"}
            onText={(text) => {
              setSchemaText(text);
              if (problems.schema) setProblem("schema", undefined);
            }}
            onCheck={(text) => setProblem("schema", checkSchema(text))}
          />
          {serverError("schema")}
        </div>
        <div>
          <JsonField
            label="Example payload"
            field="example"
            hint="Optional: a sample of the event's data for hook authors. Checked against the schema."
            placeholder={EXAMPLE_PLACEHOLDER}
            text={exampleText}
            problem={problems.example}
            invalid={serverField === "example"}
            onText={(text) => {
              setExampleText(text);
              if (problems.example) setProblem("example", undefined);
            }}
            onCheck={(text) => setProblem("example", checkExample(text))}
          />
          {serverError("example")}
        </div>
      </div>
      {serverError("form")}
      <div class="et-form-actions">
        <button type="submit" disabled={save.pending}>
          {save.pending ? "Saving…" : editing ? "Save changes" : "Create event type"}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel} disabled={save.pending}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Which field a refusal of the service concerns, so it is shown under that field. */
function fieldOf(error: ApiFailure): FieldName | "form" {
  const paths = error.details.map((d) => d.path ?? "");
  if (error.status === 409) return "name";
  if (/example/i.test(error.message) || paths.some((p) => p === "example" || p.startsWith("data")))
    return "example";
  if (/schema/i.test(error.message) || paths.some((p) => p.startsWith("schema"))) return "schema";
  if (paths.includes("name")) return "name";
  if (paths.includes("description")) return "description";
  return "form";
}

interface ControlAttrs {
  id: string;
  "data-field": FieldName;
  "aria-invalid": boolean;
  "aria-describedby": string;
}

/** A label, its control, a hint, and the problem found in what was typed (announced when shown). */
function TextField(props: {
  label: string;
  field: FieldName;
  hint: string;
  problem?: string | undefined;
  invalid?: boolean;
  extra?: ComponentChildren;
  children: (attrs: ControlAttrs) => ComponentChildren;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const problemId = `${id}-problem`;
  return (
    <div class="field">
      <div class="et-label-row">
        <label class="label" for={id}>
          {props.label}
        </label>
        {props.extra}
      </div>
      {props.children({
        id,
        "data-field": props.field,
        "aria-invalid": Boolean(props.problem) || Boolean(props.invalid),
        "aria-describedby": props.problem ? `${problemId} ${hintId}` : hintId,
      })}
      {props.problem && (
        <p class="et-problem" id={problemId} role="alert">
          {props.problem}
        </p>
      )}
      <small class="hint" id={hintId}>
        {props.hint}
      </small>
    </div>
  );
}

function JsonField(props: {
  label: string;
  field: FieldName;
  hint: string;
  placeholder: string;
  text: string;
  problem: string | undefined;
  invalid: boolean;
  onText(text: string): void;
  onCheck(text: string): void;
}) {
  const format = () => {
    const parsed = parseJsonText(props.text);
    if (parsed.ok && !parsed.empty) props.onText(JSON.stringify(parsed.value, null, 2));
    else props.onCheck(props.text);
  };
  return (
    <TextField
      label={props.label}
      field={props.field}
      hint={props.hint}
      problem={props.problem}
      invalid={props.invalid}
      extra={
        <button
          type="button"
          class="link"
          onClick={format}
          disabled={props.text.trim() === ""}
          aria-label={`Format ${props.label}`}
        >
          Format
        </button>
      }
    >
      {(attrs) => (
        <textarea
          {...attrs}
          class="et-json"
          rows={10}
          spellcheck={false}
          placeholder={props.placeholder}
          value={props.text}
          onInput={(e) => props.onText(e.currentTarget.value)}
        />
      )}
    </TextField>
  );
}
