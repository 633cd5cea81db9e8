// Protects the README's walk-through: its marked shell blocks run as printed, in order, in one bash
// (so the variables a step sets reach the later ones), against the built `serve` on a fresh data dir
// started as the README says, and the README's own receiver; each step answers what the README says
// it answers (statuses from the service's request log, key fields from the output). Only the ports
// are changed (8787, 9000 and 9001 become free ones), so parallel runs and a running hookrun do not
// collide. The walk-through is the embedded database's path (`.hookrun/root.key`), so it runs there.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const STEP = /<!-- walkthrough: ([a-z-]+) -->\n```sh\n([\s\S]*?)\n```/g;
/** The test's own requests carry this id prefix, so the request log tells them from the walk-through's. */
const OWN = "readme-walkthrough-test";

interface Step {
  name: string;
  script: string;
}

/** The marked blocks, in README order, with the README's ports replaced by the ones given. */
function walkthroughSteps(ports: Record<string, number>): Step[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  return [...readme.matchAll(STEP)].map(([, name = "", script = ""]) => ({
    name,
    script: script.replace(/\b(8787|9000|9001)\b/g, (port) => String(ports[port])),
  }));
}

/** Every top-level JSON value in `text`, in order (curl prints its answers back to back). */
function jsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (depth++ === 0) start = i;
    } else if (c === "}" || c === "]") {
      if (--depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return values;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** A child's output as it grows, and a wait for text to appear in it. */
class Output {
  text = "";
  constructor(stream: Readable) {
    stream.on("data", (chunk: Buffer) => {
      this.text += chunk.toString();
    });
  }
  async waitFor(test: (text: string) => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!test(this.text)) {
      if (Date.now() > until)
        throw new Error(`waited ${timeoutMs} ms for ${what}; output so far:\n${this.text}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe("the README's walk-through", () => {
  const home = mkdtempSync(join(tmpdir(), "hookrun-readme-"));
  const children: ChildProcess[] = [];
  const env = {
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
    HOME: home,
  };
  let steps: Step[];
  let server: Output;
  let base: string;

  /** Starts a child in its own process group (so stopping it stops what it started, too). */
  function start(command: string, args: string[], extraEnv: Record<string, string>, fd3 = false) {
    const child = spawn(command, args, {
      cwd: home,
      env: { ...env, ...extraEnv },
      detached: true,
      stdio: ["ignore", "pipe", "pipe", ...(fd3 ? (["pipe"] as const) : [])],
    });
    children.push(child);
    const output = new Output(child.stdout as Readable);
    child.stderr?.on("data", (chunk: Buffer) => {
      output.text += chunk.toString();
    });
    return { child, output };
  }

  /** The walk-through's own requests logged since `from`: "METHOD route status". */
  function requestsSince(from: number): string[] {
    return server.text
      .slice(from)
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map(
        (line) =>
          JSON.parse(line) as {
            msg?: string;
            requestId?: string;
            method: string;
            route: string;
            status: number;
          },
      )
      .filter((entry) => entry.msg === "request" && !entry.requestId?.startsWith(OWN))
      .map((entry) => `${entry.method} ${entry.route} ${entry.status}`);
  }

  async function api(method: string, path: string, key: string, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        "content-type": "application/json",
        "x-request-id": `${OWN}-${Math.random().toString(36).slice(2)}`,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  beforeAll(async () => {
    const ports = { "8787": await freePort(), "9000": await freePort(), "9001": await freePort() };
    steps = walkthroughSteps(ports);
    // `npm start` builds first and then runs exactly this; the build is the test run's own.
    const serve = steps.find((s) => s.name === "serve");
    expect(serve?.script).toBe("HOOKRUN_EGRESS_ALLOW=127.0.0.1/32 npm start");
    const started = start(process.execPath, [join(ROOT, "dist/cli.js"), "serve"], {
      HOOKRUN_EGRESS_ALLOW: "127.0.0.1/32",
      PORT: String(ports["8787"]),
    });
    server = started.output;
    await server.waitFor((t) => t.includes("listening on http://"), "the service to start", 60_000);
    base = /listening on (http:\/\/\S+)/.exec(server.text)?.[1] ?? "";
    expect(base).toBe(`http://127.0.0.1:${ports["8787"]}`);
  }, 90_000);

  afterAll(() => {
    for (const child of children) {
      if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
    }
    rmSync(home, { recursive: true, force: true });
  });

  it("runs as printed, each step answering what the README says", async () => {
    expect(steps.map((s) => s.name)).toEqual([
      "serve",
      "receiver",
      "setup",
      "workspace",
      "event-type",
      "callback-hook",
      "signing-secret",
      "function-hook",
      "function-deploy",
      "post-event",
      "event",
      "retry",
      "run-by-hand",
      "logs",
      "tail",
      "stats",
    ]);
    const receiverStep = steps.find((s) => s.name === "receiver")!;
    const receiver = start("bash", ["-c", receiverStep.script], {}).output;
    await receiver.waitFor((t) => t.includes("receiving on http://127.0.0.1:"), "the receiver to listen");

    // One bash runs every later block in order. After each it prints a marker and the variables the
    // step set, then waits on fd 3 until this test has checked the step (and waited for what the
    // README's reader would see happen meanwhile, such as a delivery arriving).
    const sets: Record<string, string[]> = {
      setup: ["HOOKRUN", "ROOT"],
      workspace: ["WS", "ADMIN"],
      "callback-hook": ["HOOK"],
      "function-hook": ["FN"],
      "post-event": ["INGEST", "EVENT"],
      retry: ["DELIVERY"],
      logs: ["ATTEMPT"],
    };
    const script = [
      "set -euo pipefail",
      `done_step() { printf '\\n@@end %s\\n' "$1"; shift; for v in "$@"; do printf '@@var %s=%s\\n' "$v" "\${!v}"; done; read -r _ <&3; }`,
      ...steps
        .filter((s) => s.name !== "serve" && s.name !== "receiver")
        .map((s) =>
          s.name === "tail"
            ? // It runs until stopped: in the background, stopped once the test saw an attempt arrive.
              `${s.script} &\ntail_pid=$!\nprintf '\\n@@tailing\\n'\nread -r _ <&3\nkill $tail_pid\nwait $tail_pid || true\ndone_step tail`
            : `${s.script}\ndone_step ${s.name} ${(sets[s.name] ?? []).join(" ")}`,
        ),
    ].join("\n");
    const walk = start("bash", ["-c", script], {}, true);
    const go = walk.child.stdio[3] as Writable;
    const vars: Record<string, string> = {};
    let consumed = 0;
    let logged = server.text.length;

    let blocked = false;
    /** Lets the bash go on past the step it last finished. */
    const release = () => {
      if (blocked) go.write("\n");
      blocked = false;
    };
    /**
     * Lets the bash run the next step, waits for its end and checks the statuses its requests were
     * answered with; returns the JSON it printed. The bash waits until the next release.
     */
    async function step(name: string, statuses: string[]): Promise<unknown[]> {
      release();
      const marker = `\n@@end ${name}\n`;
      await walk.output.waitFor((t) => t.includes(marker, consumed), `step ${name}`);
      blocked = true;
      const at = walk.output.text.indexOf(marker, consumed);
      const printed = walk.output.text.slice(consumed, at);
      const rest = walk.output.text.slice(at + marker.length);
      for (const match of rest.matchAll(/^@@var (\w+)=(.*)$/gm)) vars[match[1]!] = match[2]!;
      consumed = at + marker.length;
      // The request log line is written as the answer goes out: give it a moment to be read.
      await server.waitFor(
        () => requestsSince(logged).length >= statuses.length,
        `${statuses.length} requests of ${name}`,
      );
      expect(requestsSince(logged), `the requests of step ${name}`).toEqual(statuses);
      logged = server.text.length;
      return jsonValues(printed);
    }

    let s = await step("setup", []);
    expect(vars.HOOKRUN).toBe(base);
    expect(vars.ROOT).toMatch(/^hr_/);

    s = await step("workspace", ["POST /v1/workspaces 201", "POST /v1/workspaces/:ws/keys 201"]);
    expect(vars.WS).toMatch(/^ws_/);
    expect(vars.ADMIN).toMatch(/^hr_/);
    const { WS, ADMIN } = vars as { WS: string; ADMIN: string };

    s = await step("event-type", ["POST /v1/workspaces/:ws/event-types 201"]);
    expect(s).toMatchObject([{ name: "order.paid", example: { orderId: "o_1" } }]);

    s = await step("callback-hook", ["POST /v1/workspaces/:ws/hooks 201"]);
    expect(vars.HOOK).toMatch(/^hk_/);

    s = await step("signing-secret", [
      "GET /v1/workspaces/:ws/hooks/:id/signing-secret 200",
      "POST /v1/workspaces/:ws/hooks/:id/signing-secret/rotate 200",
    ]);
    const [revealed, rotated] = s as { secret: string; previousSecret: string | null }[];
    expect(revealed?.secret).toMatch(/^whsec_/);
    expect(rotated?.previousSecret).toBe(revealed?.secret);
    expect(rotated?.secret).toMatch(/^whsec_/);

    s = await step("function-hook", ["POST /v1/workspaces/:ws/hooks 201"]);
    expect(vars.FN).toMatch(/^hk_/);

    s = await step("function-deploy", [
      "PUT /v1/workspaces/:ws/hooks/:id/source 200",
      "POST /v1/workspaces/:ws/hooks/:id/deploy 200",
      "POST /v1/workspaces/:ws/hooks/:id/deploy 200",
    ]);
    expect(s).toMatchObject([{ liveVersion: 1 }, { version: 2, live: true }, { version: 1, live: true }]);
    expect((s[2] as { source: string }).source).toContain("ctx.secrets.CRM_TOKEN");

    s = await step("post-event", ["POST /v1/workspaces/:ws/keys 201", "POST /v1/workspaces/:ws/events 202"]);
    expect(vars.EVENT).toMatch(/^evt_/);
    const eventPath = `/v1/workspaces/${WS}/events/${vars.EVENT}`;
    // What the reader sees before the next step: the receiver printed the delivery, and the other
    // URL's delivery has failed once.
    await receiver.waitFor((t) => t.includes(`POST /hooks dlv_`), "the delivery to the receiver");
    expect(receiver.text).toContain(`"type":"order.paid"`);
    await expect
      .poll(async () => (await api("GET", eventPath, ADMIN)).body.deliveries, { timeout: 15_000 })
      .toEqual(
        expect.arrayContaining([
          expect.objectContaining({ status: "succeeded", attempts: 1 }),
          expect.objectContaining({ status: "pending", attempts: 1, lastOutcome: "network_error" }),
        ]),
      );

    s = await step("event", [
      "GET /v1/workspaces/:ws/events/:id 200",
      "GET /v1/workspaces/:ws/deliveries 200",
    ]);
    const [event, pending] = s as [
      { id: string; deliveries: { status: string }[] },
      { data: { status: string; nextAttemptAt: string | null }[] },
    ];
    expect(event.id).toBe(vars.EVENT);
    expect(event.deliveries.map((d) => d.status).sort()).toEqual(["pending", "succeeded"]);
    expect(pending.data).toHaveLength(1);
    expect(pending.data[0]?.nextAttemptAt).not.toBeNull();

    s = await step("retry", [
      "GET /v1/workspaces/:ws/deliveries 200",
      "POST /v1/workspaces/:ws/deliveries/:id/retry 202",
      "POST /v1/workspaces/:ws/hooks/:id/replay 202",
    ]);
    expect(vars.DELIVERY).toMatch(/^dlv_/);
    expect(s).toMatchObject([
      { id: vars.DELIVERY, status: "pending" },
      { events: 1, deliveries: 2 },
    ]);
    // The replay reaches the receiver again; the retry fails again.
    await receiver.waitFor((t) => t.split("POST /hooks dlv_").length === 3, "the replayed delivery");
    await expect
      .poll(async () => {
        const page = await api("GET", `/v1/workspaces/${WS}/logs?eventId=${vars.EVENT}&status=failed`, ADMIN);
        return (page.body.data as unknown[]).length;
      })
      .toBeGreaterThanOrEqual(2);

    s = await step("run-by-hand", [
      "POST /v1/workspaces/:ws/hooks/:id/invoke 200",
      "POST /v1/workspaces/:ws/hooks/:id/test 200",
      "POST /v1/workspaces/:ws/hooks/:id/test 200",
    ]);
    expect(s).toMatchObject([
      { outcome: "success", result: { forwarded: 200 }, attemptId: expect.stringMatching(/^att_/) },
      { outcome: "success", attemptId: null },
      { outcome: "success", response: { status: 200, body: "ok" } },
    ]);
    expect(receiver.text).toContain(`POST /crm  Bearer crm_token_123 {"sessionId":"s1"}`);

    s = await step("logs", [
      "GET /v1/workspaces/:ws/logs 200",
      "GET /v1/workspaces/:ws/logs 200",
      "GET /v1/workspaces/:ws/logs/:id 200",
    ]);
    const [failed, record] = s as [{ data: { outcome: string }[] }, { id: string; eventId: string }];
    expect(failed.data.length).toBeGreaterThanOrEqual(2);
    expect(failed.data.every((a) => a.outcome === "network_error")).toBe(true);
    expect(vars.ATTEMPT).toMatch(/^att_/);
    expect(record).toMatchObject({ id: vars.ATTEMPT, eventId: vars.EVENT });

    // The tail runs until stopped: post events (as the README suggests) until one's attempt shows.
    release();
    await walk.output.waitFor((t) => t.includes("\n@@tailing\n", consumed), "the tail to start");
    blocked = true; // the bash waits to stop the tail
    const tailing = walk.output.text.indexOf("\n@@tailing\n", consumed);
    for (let i = 0; !walk.output.text.slice(tailing).includes("event: attempt"); i++) {
      expect(i, "an attempt on the live tail within 15 s").toBeLessThan(30);
      const posted = await api("POST", `/v1/workspaces/${WS}/events`, vars.INGEST!, {
        type: "order.paid",
        data: { orderId: `o_tail_${i}` },
      });
      expect(posted.status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // Stopped by the release; its request is logged when the stream closes.
    s = await step("tail", ["GET /v1/workspaces/:ws/logs/stream 200"]);
    expect(walk.output.text.slice(tailing)).toMatch(/^data: \{.*"kind":"callback"/m);

    s = await step("stats", ["GET /v1/workspaces/:ws/hooks/:id/stats 200"]);
    const [stats] = s as { window: string; total: number; byOutcome: Record<string, number> }[];
    expect(stats?.window).toBe("7d");
    expect(stats?.byOutcome.success).toBeGreaterThanOrEqual(2);
    expect(stats?.byOutcome.network_error).toBeGreaterThanOrEqual(2);
    const exited = new Promise((resolve) => walk.child.once("exit", resolve));
    release();
    expect(walk.child.exitCode ?? (await exited)).toBe(0);
  }, 30_000);
});
