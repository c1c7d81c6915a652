// Builds the Go interop checker (test/interop/*.go) once per test process. The checker is
// golang.org/x/mod's sumdb code from Debian's golang-golang-x-mod-dev, which .ci/run installs; the
// build uses no network (GOPROXY=off, a go.mod replace pointing at the installed sources).
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const SOURCE_DIR = import.meta.dirname;
const X_MOD = "/usr/share/gocode/src/golang.org/x/mod/sumdb";

/** Why the checker cannot be built here, or null when it can. */
export function checkerUnavailable(): string | null {
  if (!existsSync(X_MOD)) {
    return `golang.org/x/mod is not installed (${X_MOD}); apt-get install golang-go golang-golang-x-mod-dev`;
  }
  return null;
}

/**
 * Whether interop tests run: everywhere the checker can be built. Under CI a missing toolchain is
 * an error, not a skip, so a green run always includes them.
 */
export function interopEnabled(): boolean {
  const reason = checkerUnavailable();
  if (reason && process.env.CI) throw new Error(`interop checker unavailable under CI: ${reason}`);
  if (reason) console.warn(`skipping interop tests: ${reason}`);
  return reason === null;
}

let built: Promise<string> | undefined;

/** The path of the built checker binary. */
export function interopChecker(): Promise<string> {
  built ??= (async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "prizeledger-interop-"));
    const binary = path.join(dir, "interop");
    await run("go", ["build", "-o", binary, "."], {
      cwd: SOURCE_DIR,
      env: {
        ...process.env,
        GOPROXY: "off",
        GOFLAGS: "-mod=mod",
        GOTOOLCHAIN: "local",
        GOCACHE: path.join(dir, "cache"),
        GOPATH: path.join(dir, "gopath"),
      },
    });
    return binary;
  })();
  return built;
}

/** Runs one check; resolves with its output when it exits 0, rejects with its output otherwise. */
export async function runCheck(args: string[], input?: string): Promise<string> {
  const binary = await interopChecker();
  return new Promise((resolve, reject) => {
    const child = execFile(binary, args, { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`interop ${args[0]} failed:\n${stdout}${stderr}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}
