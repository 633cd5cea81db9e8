// The browser-safe face of @hookrun/api (`@hookrun/api/browser`): the route types of the typed client
// and the naming rules the editor checks as the user types. Values here come from modules that import
// nothing (no zod, pg, PGlite or node:*); the editor bundles this entry.
export type { AppType } from "./app";
export { DEFAULT_BREAKER_FAILURES } from "./db/hook";
export {
  covers,
  EVENT_PATTERN,
  EVENT_TYPE_NAME,
  HEADER_NAME,
  isPattern,
  RESERVED_HEADERS,
  SECRET_NAME,
} from "./schemas/hook-rules";
