// Event payload schemas are JSON Schema (draft-07), checked with Ajv.
import { Ajv, type ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import type { FailureDetail } from "./result";

const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: true });
addFormats.default(ajv);

export type PayloadCheck = (payload: unknown) => FailureDetail[];

/** Compiles a schema into a payload check, or says why the schema itself is not valid. */
export function compileSchema(
  schema: Record<string, unknown>,
): { ok: true; check: PayloadCheck } | { ok: false; details: FailureDetail[] } {
  if (!ajv.validateSchema(schema)) {
    return { ok: false, details: toDetails(ajv.errors, "schema") };
  }
  try {
    const validate = ajv.compile(schema);
    return { ok: true, check: (payload) => (validate(payload) ? [] : toDetails(validate.errors, "data")) };
  } catch (error) {
    return {
      ok: false,
      details: [{ path: "schema", message: error instanceof Error ? error.message : String(error) }],
    };
  }
}

function toDetails(errors: ErrorObject[] | null | undefined, root: string): FailureDetail[] {
  return (errors ?? []).slice(0, 20).map((e) => ({
    path: `${root}${e.instancePath.replaceAll("/", ".")}`,
    message: e.message ?? "is invalid",
  }));
}

const checks = new Map<string, PayloadCheck>();
const MAX_CACHED_CHECKS = 1000;

/**
 * A payload check compiled once per schema version (`key` changes when the schema does). A schema
 * that no longer compiles (it was checked when saved) lets payloads through rather than blocking ingest.
 */
export function cachedPayloadCheck(key: string, schema: Record<string, unknown>): PayloadCheck {
  let check = checks.get(key);
  if (!check) {
    const compiled = compileSchema(schema);
    check = compiled.ok ? compiled.check : () => [];
    if (checks.size >= MAX_CACHED_CHECKS) checks.clear();
    checks.set(key, check);
  }
  return check;
}
