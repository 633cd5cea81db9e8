// Stops `npm start` (and the other scripts that run the service) at once, in one line, on a Node
// older than package.json's engines: otherwise the first sign would be a missing native binary or
// a crash in the sandbox. Plain JavaScript that old Nodes can parse.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The problem with running on `version` (e.g. "20.20.2"), or undefined when it is supported. */
export function nodeProblem(version, engines) {
  const required = /^>=\s*(\d+)$/.exec(engines.trim());
  if (!required) throw new Error(`package.json engines.node must read ">=N", not "${engines}"`);
  const major = Number(version.split(".")[0]);
  if (major >= Number(required[1])) return undefined;
  return `hookrun needs Node.js ${required[1]} or newer (this is ${version}); see "Start" in the README for how to get it`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  const problem = nodeProblem(process.versions.node, pkg.engines.node);
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}
