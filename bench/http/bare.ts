// The baseline server (bare-server.ts) as a child process: started, measured like the service, stopped.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { stopChild } from "../dispatch/services";
import type { Served, Target } from "./load";

export async function startBare(): Promise<{ target: Target; served: Served; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, "bare-server.ts")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once("exit", (code) => reject(new Error(`bare server exited (${code})`)));
  });
  return {
    target: {
      name: "bare node:http",
      method: "POST",
      url: `http://127.0.0.1:${port}/`,
      body: { data: { n: 1 } },
    },
    served: { pid: child.pid ?? 0, backends: async () => [] },
    stop: () => stopChild(child),
  };
}
