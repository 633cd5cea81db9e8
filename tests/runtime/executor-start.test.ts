// Protects how executor processes start: with --no-node-snapshot (isolated-vm 7.0.1's README still
// requires it on Node 20 and later: isolates that start from another snapshot than Node's own can
// crash V8's shared heap, seen on some platforms), none of the parent's flags or loaders, and an
// empty environment (but fork's IPC variables: nothing of the host's configuration, NODE_OPTIONS included, reaches them).
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { FunctionRuntime } from "../../runtime/src/index";

const rt = new FunctionRuntime({ egress: { allow: [] }, executors: 2 });
afterAll(() => rt.close());

/** The pids of this process's children, from /proc. */
function childPids(): number[] {
  return readdirSync("/proc/self/task").flatMap((tid) =>
    readFileSync(`/proc/self/task/${tid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number),
  );
}

describe("executor processes", () => {
  it.skipIf(process.platform !== "linux")(
    "start with --no-node-snapshot and an empty environment",
    async () => {
      await rt.start();
      const executors = childPids()
        .map((pid) => ({
          argv: readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean),
          env: readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean),
        }))
        .filter((p) => p.argv.some((a) => a.includes("executor")));
      expect(executors).toHaveLength(2);
      for (const { argv, env } of executors) {
        expect(argv[0]).toBe(process.execPath);
        expect(argv.slice(1, -1)).toEqual(["--no-node-snapshot"]);
        // Only what fork() adds for the IPC channel.
        expect(env.map((e) => e.split("=")[0]).sort()).toEqual([
          "NODE_CHANNEL_FD",
          "NODE_CHANNEL_SERIALIZATION_MODE",
        ]);
      }
    },
  );
});
