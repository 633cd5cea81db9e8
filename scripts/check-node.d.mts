// Types of check-node.mjs for the tests that import it.
/** The problem with running on Node `version` under package.json's `engines` (">=N"), if any. */
export function nodeProblem(version: string, engines: string): string | undefined;
