import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseVerifierKey } from "@/lib/tlog/note";
import { parseSignerKey } from "@/lib/tlog/sign";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "..");

async function logKey(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        "node_modules/tsx/dist/cli.mjs",
        "--import",
        "./scripts/lib/server-only-noop.mjs",
        "scripts/log-key.ts",
        ...args,
      ],
      { cwd: root },
    );
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

describe("npm run log:key", () => {
  it("prints a matching signing and verifier key named after the origin", async () => {
    const { code, out } = await logKey("prizes.example.com");
    expect(code).toBe(0);
    const env = Object.fromEntries(
      out
        .trim()
        .split("\n")
        .map((l) => l.split(/=(.*)/s).slice(0, 2)),
    );
    expect(env.LOG_ORIGIN).toBe("prizes.example.com");
    const signer = parseSignerKey(env.LOG_SIGNING_KEY ?? "");
    expect(signer).toMatchObject({ name: "prizes.example.com", type: 0x01 });
    expect(parseVerifierKey(env.LOG_VERIFIER_KEY ?? "").vkey).toBe(signer.vkey);
  }, 60_000);

  it("refuses a missing or invalid origin in words (exit 2)", async () => {
    const none = await logKey();
    expect(none.code).toBe(2);
    expect(none.err).toContain("usage: npm run log:key -- <origin>");
    const spaced = await logKey("prizes example");
    expect(spaced.code).toBe(2);
    expect(spaced.out).toBe("");
  }, 60_000);
});
