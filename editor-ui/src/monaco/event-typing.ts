// Types for a function hook's `event` argument, as TypeScript declaration text for the editor: each
// subscribed event type's `data` comes from its JSON Schema when it has one, else from its example.
// Pure (no Monaco, no DOM), so it is unit tested on its own.
import { covers } from "@hookrun/api/browser";

/** An event type of the workspace catalog, as far as typing needs it. */
export interface CatalogEventType {
  name: string;
  description?: string;
  schema?: unknown;
  example?: unknown;
}

/**
 * The event types a hook receives: catalog entries its subscriptions cover (catalog order), plus
 * exact names missing from the catalog (typed with unknown data).
 */
export function eventTypesFor(patterns: string[], catalog: CatalogEventType[]): CatalogEventType[] {
  const covered = catalog.filter((t) => patterns.some((p) => covers(p, t.name)));
  const known = new Set(covered.map((t) => t.name));
  const missing = patterns
    .filter((p) => !p.endsWith("*") && !known.has(p))
    .map((name): CatalogEventType => ({ name }));
  return [...covered, ...missing];
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

function docComment(lines: string[], indent: string): string {
  const text = lines
    .flatMap((l) => l.split("\n"))
    .map((l) => l.replace(/\*\//g, "*\\/").trimEnd())
    .filter((l, i, all) => l !== "" || (i > 0 && i < all.length - 1));
  if (text.length === 0) return "";
  if (text.length === 1) return `${indent}/** ${text[0]} */\n`;
  return `${indent}/**\n${text.map((l) => `${indent} * ${l}`).join("\n")}\n${indent} */\n`;
}

/** Splits a type at its top level (outside brackets and strings) on a separator character. */
function topLevelHas(type: string, chars: string): boolean {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < type.length; i++) {
    const c = type[i] as string;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "{" || c === "(" || c === "[" || c === "<") depth++;
    else if (c === "}" || c === ")" || c === "]" || c === ">") depth--;
    else if (depth === 0 && chars.includes(c)) return true;
  }
  return false;
}

function arrayOf(element: string): string {
  return topLevelHas(element, "|&") ? `(${element})[]` : `${element}[]`;
}

function union(types: string[]): string {
  const unique = [...new Set(types)];
  if (unique.includes("unknown")) return "unknown";
  if (unique.length === 0) return "never";
  return unique.join(" | ");
}

function intersection(types: string[]): string {
  const parts = [...new Set(types)].filter((t) => t !== "unknown");
  if (parts.length === 0) return "unknown";
  if (parts.length === 1) return parts[0] as string;
  return parts.map((t) => (topLevelHas(t, "|") ? `(${t})` : t)).join(" & ");
}

function literal(value: unknown): string | null {
  if (value === null) return "null";
  if (typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The JSON Schema keywords that describe a value (draft-07, with 2019-09/2020-12 spellings). */
function schemaDocs(schema: Schema): string[] {
  const lines: string[] = [];
  if (typeof schema.title === "string" && schema.title !== schema.description) lines.push(schema.title);
  if (typeof schema.description === "string") lines.push(schema.description);
  if (typeof schema.format === "string") lines.push(`format: ${schema.format}`);
  if (schema.deprecated === true) lines.push("@deprecated");
  if (schema.examples !== undefined && Array.isArray(schema.examples) && schema.examples.length > 0) {
    const shown = literal(schema.examples[0]);
    if (shown !== null) lines.push(`e.g. ${shown}`);
  }
  return lines;
}

class SchemaConverter {
  private readonly refs: string[] = [];
  constructor(private readonly root: unknown) {}

  convert(schema: unknown, indent: string): string {
    if (schema === true || schema === undefined) return "unknown";
    if (schema === false) return "never";
    if (!isSchema(schema)) return "unknown";
    const base = this.core(schema, indent);
    return schema.nullable === true && base !== "unknown" ? union([base, "null"]) : base;
  }

  private core(schema: Schema, indent: string): string {
    if (typeof schema.$ref === "string") return this.ref(schema.$ref, indent);
    if ("const" in schema) return literal(schema.const) ?? exampleToType(schema.const, indent);
    if (Array.isArray(schema.enum)) {
      const values = schema.enum.map(literal);
      return values.every((v) => v !== null) ? union(values as string[]) : "unknown";
    }
    const parts: string[] = [];
    const own = this.ownType(schema, indent);
    if (own !== null) parts.push(own);
    for (const key of ["anyOf", "oneOf"] as const) {
      const options = schema[key];
      if (Array.isArray(options) && options.length > 0)
        parts.push(union(options.map((o) => this.convert(o, indent))));
    }
    if (Array.isArray(schema.allOf))
      parts.push(intersection(schema.allOf.map((o) => this.convert(o, indent))));
    return parts.length === 0 ? "unknown" : intersection(parts);
  }

  /** The type the `type` keyword (or, without it, properties/items) gives; null when none. */
  private ownType(schema: Schema, indent: string): string | null {
    const declared = schema.type;
    if (Array.isArray(declared)) {
      return union(declared.map((t) => this.typeNamed(String(t), schema, indent)));
    }
    if (typeof declared === "string") return this.typeNamed(declared, schema, indent);
    if (isSchema(schema.properties) || schema.additionalProperties !== undefined)
      return this.objectType(schema, indent);
    if (schema.items !== undefined || schema.prefixItems !== undefined) return this.arrayType(schema, indent);
    return null;
  }

  private typeNamed(type: string, schema: Schema, indent: string): string {
    switch (type) {
      case "string":
        return "string";
      case "number":
      case "integer":
        return "number";
      case "boolean":
        return "boolean";
      case "null":
        return "null";
      case "array":
        return this.arrayType(schema, indent);
      case "object":
        return this.objectType(schema, indent);
      default:
        return "unknown";
    }
  }

  private arrayType(schema: Schema, indent: string): string {
    // 2020-12 tuples: prefixItems (+ items for the rest); draft-07 tuples: items as an array.
    const tuple = Array.isArray(schema.prefixItems)
      ? { head: schema.prefixItems, rest: schema.items }
      : Array.isArray(schema.items)
        ? { head: schema.items, rest: schema.additionalItems }
        : null;
    if (tuple) {
      const head = tuple.head.map((s) => this.convert(s, indent));
      if (tuple.rest === false) return `[${head.join(", ")}]`;
      return `[${[...head, `...${arrayOf(this.convert(tuple.rest, indent))}`].join(", ")}]`;
    }
    return arrayOf(this.convert(schema.items, indent));
  }

  private objectType(schema: Schema, indent: string): string {
    const props = isSchema(schema.properties) ? schema.properties : {};
    const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
    const inner = `${indent}  `;
    const members = Object.entries(props).map(([name, sub]) => {
      const docs = isSchema(sub) ? docComment(schemaDocs(sub), inner) : "";
      const optional = required.has(name) ? "" : "?";
      return `${docs}${inner}${propertyKey(name)}${optional}: ${this.convert(sub, inner)};\n`;
    });
    const extra = schema.additionalProperties;
    const patterned = isSchema(schema.patternProperties);
    if (members.length === 0) {
      if (extra === false && !patterned) return "{}";
      const value = isSchema(extra) ? this.convert(extra, inner) : "unknown";
      return `Record<string, ${value}>`;
    }
    // Known properties, plus more when the schema says so (their value type must cover the known ones).
    if (extra === true || isSchema(extra) || patterned) members.push(`${inner}[key: string]: unknown;\n`);
    return `{\n${members.join("")}${indent}}`;
  }

  private ref(ref: string, indent: string): string {
    const match = /^#\/(definitions|\$defs)\/(.+)$/.exec(ref);
    if (!match || this.refs.includes(ref)) return "unknown";
    const name = decodeURIComponent((match[2] as string).replace(/~1/g, "/").replace(/~0/g, "~"));
    const defs = isSchema(this.root) ? this.root[match[1] as string] : undefined;
    const target = isSchema(defs) ? defs[name] : undefined;
    if (target === undefined) return "unknown";
    this.refs.push(ref);
    try {
      return this.convert(target, indent);
    } finally {
      this.refs.pop();
    }
  }
}

/** A JSON Schema (draft-07, most of 2020-12) as TypeScript type text; `unknown` where it cannot say. */
export function schemaToType(schema: unknown, indent = ""): string {
  return new SchemaConverter(schema).convert(schema, indent);
}

/** What a set of example values can be: the union of what each was. */
interface Shape {
  prims: Set<"string" | "number" | "boolean" | "null">;
  array: Shape | null;
  /** Objects seen, and per key how often it occurred and an example scalar. */
  objects: number;
  props: Map<string, { shape: Shape; count: number; sample?: string }>;
}

function emptyShape(): Shape {
  return { prims: new Set(), array: null, objects: 0, props: new Map() };
}

function addValue(shape: Shape, value: unknown): void {
  if (value === null || value === undefined) shape.prims.add("null");
  else if (typeof value === "string") shape.prims.add("string");
  else if (typeof value === "number") shape.prims.add("number");
  else if (typeof value === "boolean") shape.prims.add("boolean");
  else if (Array.isArray(value)) {
    shape.array ??= emptyShape();
    for (const item of value) addValue(shape.array, item);
  } else if (typeof value === "object") {
    shape.objects++;
    for (const [key, v] of Object.entries(value)) {
      let prop = shape.props.get(key);
      if (!prop) {
        prop = { shape: emptyShape(), count: 0 };
        shape.props.set(key, prop);
      }
      prop.count++;
      const shown = literal(v);
      if (prop.sample === undefined && shown !== null && v !== null) {
        prop.sample = shown.length > 60 ? `${shown.slice(0, 57)}…` : shown;
      }
      addValue(prop.shape, v);
    }
  }
}

function renderShape(shape: Shape, indent: string): string {
  const types: string[] = [];
  if (shape.objects > 0) {
    const inner = `${indent}  `;
    const members = [...shape.props.entries()].map(([key, prop]) => {
      const docs = prop.sample === undefined ? "" : docComment([`e.g. ${prop.sample}`], inner);
      const optional = prop.count < shape.objects ? "?" : "";
      return `${docs}${inner}${propertyKey(key)}${optional}: ${renderShape(prop.shape, inner)};\n`;
    });
    types.push(members.length === 0 ? "Record<string, unknown>" : `{\n${members.join("")}${indent}}`);
  }
  if (shape.array) types.push(arrayOf(renderShape(shape.array, indent)));
  for (const prim of ["string", "number", "boolean", "null"] as const) {
    if (shape.prims.has(prim)) types.push(prim);
  }
  return types.length === 0 ? "unknown" : union(types);
}

/** The type an example JSON value suggests; an array's items are merged (keys not in all are optional). */
export function exampleToType(example: unknown, indent = ""): string {
  if (example === undefined) return "unknown";
  const shape = emptyShape();
  addValue(shape, example);
  return renderShape(shape, indent);
}

/** An event type's `data` type: from its schema, else its example, else unknown. */
export function dataTypeOf(eventType: CatalogEventType, indent = ""): string {
  if (isSchema(eventType.schema) || typeof eventType.schema === "boolean")
    return schemaToType(eventType.schema, indent);
  if (eventType.example !== undefined && eventType.example !== null)
    return exampleToType(eventType.example, indent);
  return "unknown";
}

/** A type alias name for an event type's data: `order.created` → `OrderCreatedData`. */
export function dataTypeName(eventName: string, taken: Set<string>): string {
  const words = eventName.split(/[^A-Za-z0-9]+/).filter(Boolean);
  let base = `${words.map((w) => w[0]?.toUpperCase() + w.slice(1)).join("")}Data`;
  if (!/^[A-Za-z_]/.test(base)) base = `Event${base}`;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
  taken.add(name);
  return name;
}

/**
 * The per-hook declarations the editor adds next to the sandbox's: `HookEvent` (a union
 * discriminated by `type` over the hook's event types), one data type per event type, and the
 * names of the hook's secrets (merged into `HookSecrets`).
 */
export function hookDeclarations(input: {
  hookName: string;
  events: CatalogEventType[];
  secretNames: string[];
}): string {
  const out: string[] = [
    `// The events hook "${input.hookName.replace(/[\r\n]/g, " ")}" receives, typed from the event catalog.`,
    "// Regenerated when the hook's subscriptions or the catalog change.",
    "",
  ];
  const taken = new Set(["HookEvent", "HookEventOf", "HookContext", "HookSecrets"]);
  const members: string[] = [];
  for (const event of input.events) {
    const alias = dataTypeName(event.name, taken);
    const from = isSchema(event.schema)
      ? "its JSON Schema"
      : event.example !== undefined && event.example !== null
        ? "its example"
        : "nothing (the catalog has neither a schema nor an example)";
    const docs = [`\`data\` of "${event.name}" events (typed from ${from}).`];
    if (event.description) docs.unshift(event.description);
    out.push(`${docComment(docs, "")}type ${alias} = ${dataTypeOf(event)};`, "");
    members.push(`HookEventOf<${JSON.stringify(event.name)}, ${alias}>`);
  }
  const eventDocs = docComment(
    [
      "The event this invocation handles. Narrow it with `event.type` to get that type's `data`:",
      'if (event.type === "…") { event.data… }',
    ],
    "",
  );
  out.push(
    members.length === 0
      ? `${eventDocs}type HookEvent = HookEventOf<string, unknown>;`
      : `${eventDocs}type HookEvent =\n${members.map((m) => `  | ${m}`).join("\n")};`,
    "",
  );
  const secrets = [...new Set(input.secretNames)].filter((n) => IDENTIFIER.test(n)).sort();
  out.push(
    "/** This hook's secrets (values are set in the hook's settings). */",
    "interface HookSecrets {",
    ...secrets.map((n) => `  readonly ${n}: string;`),
    "}",
    "",
  );
  return out.join("\n");
}
