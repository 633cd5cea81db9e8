// Summarises a V8 CPU profile (a .cpuprofile from node --cpu-prof): time by package, the top
// functions by self and by inclusive time, and the heaviest call paths. Bundled frames (dist/*.js)
// are mapped back to their source files through the bundle's source map.
// Run: npx tsx bench/http/profile-summary.ts <file.cpuprofile> [top=25] [skip seconds=0]
// (skip: leave out the first seconds, e.g. the service's start-up and migrations, before the load).
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  /** Microseconds since the previous sample (the first: since startTime). */
  timeDeltas: number[];
}

const maps = new Map<string, SourceMap | null>();
function sourceMapOf(url: string): SourceMap | null {
  if (!maps.has(url)) {
    const path = url.startsWith("file://") ? fileURLToPath(url) : url;
    const mapPath = `${path}.map`;
    maps.set(url, existsSync(mapPath) ? new SourceMap(JSON.parse(readFileSync(mapPath, "utf8"))) : null);
  }
  return maps.get(url) ?? null;
}

/** The package a frame belongs to: a dependency, node itself, ours (by top folder), or V8's own. */
function packageOf(frame: ProfileNode["callFrame"], file: string): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith("(") ? functionName : "(native: builtins, syscalls)";
  if (url.startsWith("wasm://")) return "@electric-sql/pglite (wasm)";
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep) return dep[1]!;
  if (url.startsWith("node:")) return "node:internal";
  const ours = /(?:^|\/)(api|runtime|editor-ui|migrations)\/src\//.exec(file);
  return ours ? `ours: ${ours[1]}` : file;
}

/** Where a frame's code lives: its source file (through a source map when bundled) and line. */
function place(frame: ProfileNode["callFrame"]): { file: string; line: number } {
  const map = frame.url.startsWith("file://") ? sourceMapOf(frame.url) : null;
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber);
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1];
  if (entry && "originalSource" in entry) {
    const source = entry.originalSource.replace(/^(\.\.\/)+/, "").replace(/^.*?node_modules\//, "");
    return { file: dep ? `${dep}:${source}` : source, line: entry.originalLine + 1 };
  }
  return { file: frame.url.replace(/^file:\/\/.*?node_modules\//, ""), line: frame.lineNumber + 1 };
}

/** Self time per node (ms), from the samples taken after `skipS` seconds (the start-up left out). */
function selfTimes(profile: Profile, skipS: number): { self: Map<number, number>; totalMs: number } {
  const self = new Map<number, number>();
  let t = 0;
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    // A sample stands for the time until the next one.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    t += (profile.timeDeltas[i] ?? 0) / 1e6;
    if (t < skipS) return;
    self.set(id, (self.get(id) ?? 0) + ms);
    totalMs += ms;
  });
  return { self, totalMs };
}

function summarise(profile: Profile, top: number, skipS: number): void {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const { self: nodeMs, totalMs } = selfTimes(profile, skipS);
  const key = new Map<number, { fn: string; pkg: string }>();
  for (const n of profile.nodes) {
    const { file, line } = place(n.callFrame);
    const name = n.callFrame.functionName || "(anonymous)";
    key.set(n.id, { fn: file ? `${name} ${file}:${line}` : name, pkg: packageOf(n.callFrame, file) });
  }
  const selfMs = (n: ProfileNode) => nodeMs.get(n.id) ?? 0;
  const idle = profile.nodes
    .filter((n) => n.callFrame.functionName === "(idle)")
    .reduce((a, n) => a + selfMs(n), 0);
  const busy = totalMs - idle;
  const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1).padStart(5)}%`;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

  const self = new Map<string, number>();
  const pkgs = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const paths = new Map<string, number>();
  const oursInclusive = new Map<string, number>();
  for (const n of profile.nodes) {
    const ms = selfMs(n);
    if (ms === 0 || n.callFrame.functionName === "(idle)") continue;
    const k = key.get(n.id)!;
    add(self, k.fn, ms);
    add(pkgs, k.pkg, ms);
    // Each function on the stack once (recursion counts once), the stack root-first.
    const stack: string[] = [];
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const fn = key.get(id)!.fn;
      if (fn !== "(root)" && !stack.includes(fn)) stack.push(fn);
    }
    for (const fn of stack) add(inclusive, fn, ms);
    for (let id: number | undefined = n.id, seen = new Set<string>(); id !== undefined; id = parent.get(id)) {
      const k2 = key.get(id)!;
      if (k2.pkg.startsWith("ours") && !seen.has(k2.fn)) {
        seen.add(k2.fn);
        add(oursInclusive, k2.fn, ms);
      }
    }
    // A path: the leaf and the five frames above it, as names only.
    const names = stack.slice(0, 6).map((fn) => fn.split(" ")[0]);
    add(paths, names.reverse().join(" > "), ms);
  }
  const print = (title: string, m: Map<string, number>, n: number) => {
    console.log(`\n${title}`);
    for (const [k, v] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n))
      console.log(`  ${pct(v)} ${v.toFixed(0).padStart(7)} ms  ${k}`);
  };
  console.log(
    `profile: ${totalMs.toFixed(0)} ms after the first ${skipS} s, busy ${busy.toFixed(0)} ms ` +
      `(${((100 * busy) / totalMs).toFixed(0)}%); percentages are of busy time`,
  );
  print("self time by package", pkgs, top);
  print(`top ${top} functions by self time`, self, top);
  print(`top ${top} functions by inclusive time`, inclusive, top);
  print(`top ${top} of our functions (api/, runtime/) by inclusive time`, oursInclusive, top);
  print("top 15 call paths by self time (leaf last, 6 frames)", paths, 15);
}

const [file, topArg, skipArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: tsx bench/http/profile-summary.ts <file.cpuprofile> [top=25] [skip seconds=0]");
  process.exit(2);
}
summarise(JSON.parse(readFileSync(file, "utf8")) as Profile, Number(topArg) || 25, Number(skipArg) || 0);
