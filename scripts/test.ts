/**
 * `npm test`: every suite in turn (type-check, lint, Vitest, contract tests, Playwright, then the
 * cluster's checks and its fault runs on the build Playwright made), then one summary line
 * `N passed, N failed` over all of them. Exits non-zero if anything failed.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

type Tally = { passed: number; failed: number };
type Suite = { name: string; run: () => Promise<Tally> };
type VitestReport = {
  testResults: Array<{ status: string; assertionResults: Array<{ status: string }> }>;
};

const bin = (name: string) => path.join("node_modules", ".bin", name);
const env = {
  ...process.env,
  // Child tools must run on this Node (22), whatever `node` comes first on PATH.
  PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`,
  HARDHAT_DISABLE_TELEMETRY: "true",
  NEXT_TELEMETRY_DISABLED: "1",
};

function run(
  cmd: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      env: { ...env, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const forward = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk.toString();
      stream.write(chunk);
    };
    child.stdout.on("data", forward(process.stdout));
    child.stderr.on("data", forward(process.stderr));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
    child.on("error", (error) => resolve({ code: 1, output: error.message }));
  });
}

/** A check with no test count of its own counts as one test. */
async function check(cmd: string, args: string[]): Promise<Tally> {
  const { code } = await run(cmd, args);
  return code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/**
 * The cluster's stages run on the production build the e2e suite made (playwright.config.ts:
 * `.next-e2e`), and rebuild only if the sources changed since.
 */
const E2E_BUILD = { NEXT_DIST_DIR: ".next-e2e" };

/** A script of the cluster's: one test per line of its output that `line` reads as a verdict. */
async function verdicts(script: string, args: string[], line: RegExp): Promise<Tally> {
  const { code, output } = await run(
    process.execPath,
    [bin("tsx"), "--import", "./scripts/lib/server-only-noop.mjs", script, ...args],
    E2E_BUILD,
  );
  const tally = { passed: 0, failed: 0 };
  for (const match of output.matchAll(line)) {
    if (match[1] === "ok" || match[1] === "pass") tally.passed++;
    else tally.failed++;
  }
  return atLeastOneFailure(tally, code);
}

/** A runner that crashed before reporting still counts as a failure. */
function atLeastOneFailure(tally: Tally, code: number): Tally {
  return code !== 0 && tally.failed === 0 ? { ...tally, failed: 1 } : tally;
}

const suites: Suite[] = [
  { name: "type-check", run: () => check(bin("tsc"), ["--noEmit"]) },
  { name: "lint", run: () => check(bin("biome"), ["check", "."]) },
  {
    name: "vitest",
    run: async () => {
      const out = "test-results/vitest.json";
      fs.rmSync(out, { force: true });
      const { code } = await run(bin("vitest"), [
        "run",
        "--reporter=default",
        "--reporter=json",
        `--outputFile.json=${out}`,
      ]);
      const report = readJson<VitestReport>(out);
      const results = report?.testResults ?? [];
      const assertions = results.flatMap((file) =>
        // A file whose set-up failed reports its tests as skipped: they did not pass.
        file.assertionResults.map((a) =>
          file.status === "failed" && a.status !== "passed" ? "failed" : a.status,
        ),
      );
      const tally = {
        passed: assertions.filter((s) => s === "passed").length,
        failed:
          assertions.filter((s) => s === "failed").length +
          results.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length,
      };
      return atLeastOneFailure(tally, code);
    },
  },
  {
    name: "contracts",
    run: async () => {
      const { code, output } = await run(bin("hardhat"), ["test"]);
      const count = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(output)?.[1] ?? 0);
      return atLeastOneFailure({ passed: count("passing"), failed: count("failing") }, code);
    },
  },
  {
    name: "e2e",
    run: async () => {
      const out = "test-results/e2e.json";
      fs.rmSync(out, { force: true });
      const { code } = await run(bin("playwright"), ["test"]);
      const report = readJson<{ stats: { expected: number; unexpected: number; flaky: number } }>(
        out,
      );
      const stats = report?.stats;
      const tally = {
        passed: (stats?.expected ?? 0) + (stats?.flaky ?? 0),
        failed: stats?.unexpected ?? 0,
      };
      return atLeastOneFailure(tally, code);
    },
  },
  {
    // Each check's line: `[test:cluster] ok   …` or `[test:cluster] FAIL …`.
    name: "cluster",
    run: () => verdicts("scripts/check-cluster.ts", [], /^\[test:cluster\] (ok|FAIL) /gm),
  },
  {
    // Each fault's row of the table ends in `| pass |` or `| FAIL |`.
    name: "faults",
    run: () =>
      verdicts(
        "scripts/test-faults.ts",
        [],
        /^\| (?:web|worker|chain|database) .*\| (pass|FAIL) \|$/gm,
      ),
  },
];

const only = process.argv.slice(2);
const total: Tally = { passed: 0, failed: 0 };
const lines: string[] = [];
for (const suite of suites) {
  if (only.length > 0 && !only.includes(suite.name)) continue;
  console.log(`\n=== ${suite.name} ===`);
  const tally = await suite.run();
  total.passed += tally.passed;
  total.failed += tally.failed;
  lines.push(`  ${suite.name.padEnd(11)} ${tally.passed} passed, ${tally.failed} failed`);
}
console.log(`\n${lines.join("\n")}`);
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exitCode = total.failed > 0 ? 1 : 0;
