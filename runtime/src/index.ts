// Public API of @hookrun/runtime: compile customer functions, run them sandboxed, and send HTTP
// through the one guarded egress client.
export { type AddressDecision, allowList, classifyAddress } from "./address-guard";
export {
  buildCallbackRequest,
  type CallbackEnvelope,
  type CallbackOutcome,
  redactHeaders,
  secretHeaderNames,
  sendCallback,
} from "./callback";
export { type CompileResult, compileFunction, type Diagnostic } from "./compile";
export {
  type EgressErrorCode,
  type EgressFailure,
  type EgressOptions,
  type EgressRequest,
  type EgressResponse,
  type EgressResult,
  egressRequest,
  type ResolvedAddress,
  UNSENDABLE_HEADERS,
} from "./egress";
export { egressWarnings } from "./egress-warnings";
export { failingTooLong, MAX_ATTEMPTS, nextAttemptDelayMs, shouldGiveUp } from "./retry";
export { CAPS, type Limits, MAX_TIMEOUT_MS, MEMORY_MB } from "./sandbox/limits";
export type { LogLine, RunContext, RunError, RunOutcome, RunStatus } from "./sandbox/protocol";
export {
  FunctionRuntime,
  type FunctionRuntimeOptions,
  type RunRequest,
  type RuntimeStats,
} from "./sandbox/runtime";
export { type SigningConfig, signRequest } from "./signing";
