/**
 * `npm run lock:stubs`: records in package-lock.json the other platforms' optional binaries
 * (esbuild, swc, biome, anvil builds for macOS, Windows, musl…) that the registry mirror this
 * project is developed against does not serve. `npm install` leaves them out of the lock when it
 * cannot fetch them, and `npm ci` then refuses the lock as out of sync. A stub with the platform
 * fields is skipped on every other platform without being fetched, as npm does for any
 * optional dependency whose os/cpu does not match.
 */
import fs from "node:fs";

const OS = [
  "darwin",
  "linux",
  "win32",
  "android",
  "freebsd",
  "netbsd",
  "openbsd",
  "sunos",
  "aix",
  "openharmony",
];
const CPU = {
  arm64: "arm64",
  x64: "x64",
  amd64: "x64",
  arm: "arm",
  ia32: "ia32",
  ppc64: "ppc64",
  s390x: "s390x",
  riscv64: "riscv64",
  loong64: "loong64",
  mips64el: "mips64el",
};

function platformOf(name) {
  const tokens = name.split("/").pop().split("-");
  const os = tokens.find((t) => OS.includes(t));
  const cpu = tokens.map((t) => CPU[t]).find(Boolean);
  const libc = tokens.includes("musl") ? "musl" : tokens.includes("gnu") ? "glibc" : undefined;
  return { os, cpu, libc };
}

const file = "package-lock.json";
const lock = JSON.parse(fs.readFileSync(file, "utf8"));
const packages = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${path ? `${path}/` : ""}node_modules/${name}`;
    if (packages[nested] || packages[`node_modules/${name}`]) continue;
    const { os, cpu, libc } = platformOf(name);
    if (!os || !cpu) continue;
    packages[`node_modules/${name}`] = {
      version: range.replace(/^[\^~=]/, ""),
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [os],
      cpu: [cpu],
      ...(libc ? { libc: [libc] } : {}),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform stubs added`);
