// The prelude: the script every isolate runs before user code, building the web globals from the
// self-contained functions in prelude-*.ts (serialised with toString, so they run inside the
// isolate, never on the host). It evaluates to a setup function that takes the host bindings as
// arguments and returns `invoke`; the bindings stay in closures, never on the global object.
import {
  hardenGlobals,
  installConsole,
  installCrypto,
  installTimers,
  makeHost,
  makeInvoke,
} from "./prelude-core";
import { installFetch, installUrl } from "./prelude-net";
import { installClone, installEncoding, installHeaders, installSearchParams } from "./prelude-web";

/** File name of prelude frames; they are dropped from user-facing stacks. */
export const PRELUDE_FILENAME = "hookrun:prelude";

let cached: string | undefined;

/** The prelude source (built once per process; executors also cache its compiled code). */
export function preludeSource(): string {
  cached ??= `(function (log, random, digest, hmac, url, cancelTimer, timerRef, fetchRef) {
"use strict";
const g = globalThis;
const s = { live: false, gen: 0, pending: 0, fetches: 0, settling: [] };
const host = (${makeHost})(s, log, random, digest, hmac, url, cancelTimer, timerRef, fetchRef);
(${hardenGlobals})(g);
(${installConsole})(g, s, host);
(${installEncoding})(g, s);
(${installClone})(g);
(${installSearchParams})(g, s);
(${installHeaders})(g, s);
(${installUrl})(g, s, host);
(${installFetch})(g, s, host);
(${installCrypto})(g, s, host);
(${installTimers})(g, s, host);
return (${makeInvoke})(g, s);
})`;
  return cached;
}
