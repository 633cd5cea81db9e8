// Entry point of an executor child process (spawned by the runtime with --no-node-snapshot and an
// IPC channel). It owns the isolates: if V8 or isolated-vm takes this process down (issue #527,
// onCatastrophicError), only this process dies; the runtime marks its in-flight runs crashed and
// starts a new one. It talks to nothing but its parent: fetch is forwarded to the parent's egress.
import { writeSync } from "node:fs";
import { lastWords } from "./last-words";
import type { FetchReply, FetchRequest, FromExecutor, ToExecutor } from "./protocol";
import { VersionSandbox } from "./version-sandbox";
import { refillSpares } from "./warm-isolate";

const versions = new Map<string, VersionSandbox>();
const pendingFetches = new Map<number, (reply: FetchReply) => void>();
let nextFetchId = 1;
let outbox: FromExecutor[] = [];

/** Messages leave in batches: one IPC write per turn of the event loop, not one per message. */
function send(msg: FromExecutor): void {
  if (outbox.length === 0) setImmediate(flush);
  outbox.push(msg);
}

function flush(): void {
  const batch = outbox;
  outbox = [];
  if (batch.length > 0 && process.connected) process.send?.(batch);
}

function fatal(reason: string, invocationId?: number): void {
  // Nothing in this process can be trusted any more; the parent restarts us. Our last words name
  // the invocation that caused it, written synchronously: the parent settles that run as its own
  // failure and runs the others again. process.exit() can hang once V8 has lost an isolate, so end
  // the hard way (no core dump either).
  writeSync(2, lastWords(reason, invocationId));
  process.kill(process.pid, "SIGKILL");
}

function fetchThroughParent(id: number, req: FetchRequest, timeoutMs: number): Promise<FetchReply> {
  const fid = nextFetchId++;
  return new Promise((resolve) => {
    pendingFetches.set(fid, resolve);
    send({ t: "fetch", id, fid, req, timeoutMs });
  });
}

const events = { fatal, fetch: fetchThroughParent };

function handle(msg: ToExecutor): void {
  switch (msg.t) {
    case "run": {
      if (msg.load) {
        const old = versions.get(msg.key);
        if (!old || old.code !== msg.load.code) {
          old?.retire();
          versions.set(msg.key, new VersionSandbox(msg.load.code, msg.load.sourceMap, events));
        }
      }
      const sandbox = versions.get(msg.key);
      if (!sandbox) {
        send({ t: "missing", id: msg.id });
        return;
      }
      const { id, eventJson, ctxJson, limits } = msg;
      sandbox.run({ id, eventJson, ctxJson, limits }).then(
        (outcome) => {
          send({ t: "done", id, outcome });
          // Queued after the reply's flush: a spare isolate is built only once the answer is out.
          setImmediate(() => refillSpares(events));
        },
        (err: unknown) => fatal(`run failed: ${err instanceof Error ? err.stack : String(err)}`),
      );
      return;
    }
    case "evict":
      versions.get(msg.key)?.retire();
      versions.delete(msg.key);
      return;
    case "fetched":
      pendingFetches.get(msg.fid)?.(msg.reply);
      pendingFetches.delete(msg.fid);
      return;
    default: {
      const unknown: never = msg;
      throw new Error(`unknown message ${JSON.stringify(unknown)}`);
    }
  }
}

process.on("message", (batch: ToExecutor[]) => {
  for (const msg of batch) handle(msg);
});
// Orphaned (the runtime died or closed us): leave at once, taking every isolate with us.
process.on("disconnect", () => process.exit(0));
// Proof of life for the runtime's watchdog while we hold work.
setInterval(() => send({ t: "alive" }), 1000).unref();
send({ t: "ready" });
