// A write-only map's rows (callback headers, function secrets): stored entries masked, new ones typed in.
import { useState } from "preact/hooks";
import { HEADER_NAME, type MapRow, newRow, RESERVED_HEADERS, SECRET_NAME } from "../model";
import { Problems } from "./problems";

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
