/**
 * `tsx scripts/bench/profile-summary.ts FILE.cpuprofile [top]`: where a V8 CPU profile (from
 * `node --cpu-prof`, e.g. `bench:claims --cpu-prof`) spent its time, as self time by package
 * (node_modules/<name>, app code, node internals, GC, idle) and by function.
 */
import fs from "node:fs";

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

function area(url: string, fn: string): string {
  if (fn === "(idle)" || fn === "(garbage collector)" || fn === "(program)") return fn;
  if (!url) return "(native/builtin)";
  if (url.startsWith("node:")) return "node internals";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m?.[1]) {
    if (m[1] === "next") {
      const sub = /next\/dist\/(compiled\/[^/]+|server\/[^/]+|[^/]+)/.exec(url);
      return `next/${sub?.[1] ?? "?"}`;
    }
    return m[1];
  }
  if (url.includes("/.next") || url.includes("bench-next")) return "app (built chunks)";
  return "app";
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: tsx scripts/bench/profile-summary.ts FILE.cpuprofile [top]");
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const areas = new Map<string, number>();
const fns = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id);
  if (!n) continue;
  const { functionName, url, lineNumber } = n.callFrame;
  const a = area(url, functionName);
  areas.set(a, (areas.get(a) ?? 0) + us);
  const short = url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/work\/main\//, "");
  const key = `${functionName || "(anonymous)"}  ${short}:${lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
}
const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
const busy = total - (areas.get("(idle)") ?? 0);
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy`);
console.log("\nSelf time by area:");
for (const [a, us] of [...areas].sort((x, y) => y[1] - x[1]).slice(0, top)) {
  console.log(`  ${pct(us)}  ${a}`);
}
console.log("\nSelf time by function:");
for (const [f, us] of [...fns].sort((x, y) => y[1] - x[1]).slice(0, top)) {
  console.log(`  ${pct(us)}  ${f}`);
}
