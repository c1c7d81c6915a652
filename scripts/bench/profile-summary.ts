/**
 * `tsx scripts/bench/profile-summary.ts FILE.cpuprofile [top]`: where a V8 CPU profile (from
 * `node --cpu-prof`, e.g. `bench:claims --cpu-prof`) spent its time: self time by area
 * (node_modules/<name>, app code, node internals, GC, idle) and by function, and total time
 * (self plus callees, within one synchronous stretch) by source file. Frames in Next's minified
 * server chunks are mapped back to their source files and names through the chunks' source maps.
 */
import fs from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type Node = { id: number; callFrame: CallFrame; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };
type Frame = { fn: string; file: string; line: number; area: string };

const maps = new Map<string, SourceMap | undefined>();

function sourceMapOf(url: string): SourceMap | undefined {
  if (!maps.has(url)) {
    let map: SourceMap | undefined;
    try {
      const path = url.startsWith("file:") ? fileURLToPath(url) : url;
      // The standalone copy leaves the maps behind in the build directory it was copied from.
      const candidates = [path, path.replace(/\/standalone\/.*?(\/server\/chunks\/)/, "$1")];
      const found = candidates.map((c) => `${c}.map`).find((c) => fs.existsSync(c));
      map = found ? new SourceMap(JSON.parse(fs.readFileSync(found, "utf8"))) : undefined;
    } catch {
      map = undefined;
    }
    maps.set(url, map);
  }
  return maps.get(url);
}

function areaOf(file: string, fn: string): string {
  if (fn === "(idle)" || fn === "(garbage collector)" || fn === "(program)") return fn;
  if (!file) return "(native/builtin)";
  if (file.startsWith("node:")) return "node internals";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (m?.[1]) {
    if (m[1] === "next") {
      const sub = /next\/dist\/(compiled\/[^/]+|server\/[^/]+|[^/]+)/.exec(file);
      return `next/${sub?.[1] ?? "?"}`;
    }
    return m[1];
  }
  if (file.includes("bench-next") || file.includes("/.next")) return "app (unmapped chunks)";
  return "app";
}

/** The frame's original file, line and name where a source map knows them. */
function frameOf(cf: CallFrame): Frame {
  let file = cf.url;
  let line = cf.lineNumber + 1;
  let fn = cf.functionName || "(anonymous)";
  const map = cf.url ? sourceMapOf(cf.url) : undefined;
  const entry = map?.findEntry(cf.lineNumber, cf.columnNumber);
  if (entry && "originalSource" in entry && entry.originalSource) {
    file = decodeURIComponent(entry.originalSource)
      .replace(/^.*\[project\]\//, "")
      .replace(/^turbopack:\/+/, "")
      .replace(/^(?:\.\.\/)+/, "");
    line = entry.originalLine + 1;
    // Node's typings leave out the mapping's name, which it does carry.
    const { name } = entry as { name?: string };
    if (name && cf.functionName) fn = `${fn}→${name}`;
  }
  file = file.replace(/^file:\/\/.*?\/node_modules\//, "node_modules/");
  return { fn, file, line, area: areaOf(file, cf.functionName) };
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: tsx scripts/bench/profile-summary.ts FILE.cpuprofile [top]");
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const frames = new Map(profile.nodes.map((n) => [n.id, frameOf(n.callFrame)]));

const self = new Map<number, number>();
profile.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const areas = new Map<string, number>();
const fns = new Map<string, number>();
const files = new Map<string, number>();
const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
for (const [id, us] of self) {
  const f = frames.get(id);
  if (!f) continue;
  add(areas, f.area, us);
  add(fns, `${f.fn}  ${f.file}:${f.line}`, us);
  // Total time per source file: each file on the sample's stack counts once.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const g = frames.get(at);
    if (!g || g.file.startsWith("node:") || g.file === "") continue;
    const key = g.file.startsWith("node_modules/") ? areaOf(g.file, g.fn) : g.file;
    if (seen.has(key)) continue;
    seen.add(key);
    add(files, key, us);
  }
}
const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
const busy = total - (areas.get("(idle)") ?? 0);
const list = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}:`);
  for (const [k, us] of [...m].sort((x, y) => y[1] - x[1]).slice(0, top)) {
    console.log(`  ${pct(us)}  ${k}`);
  }
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy`);
list("Self time by area", areas);
list("Self time by function", fns);
files.delete("");
list("Total time by source file (self + callees in the same synchronous run)", files);
