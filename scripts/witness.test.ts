import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { tempDir } from "@/test/witness-fixture";
import { tsxArgs } from "./lib/runtime";

const run = promisify(execFile);

/** `npm run witness` with these flags: its exit code and what it printed on stderr. */
async function witness(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, tsxArgs("scripts/witness.ts", ...args), {
      timeout: 120_000,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "test" },
    });
    return { code: 0, stderr: "" };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? "" };
  }
}

describe("npm run witness", () => {
  // The first start pins what the log's document says: over plain http anyone on the way could.
  it("refuses a log URL over plain http from another machine, in words (exit 2)", {
    timeout: 150_000,
  }, async () => {
    const data = tempDir("witness-cli");
    const answer = await witness([
      "--log",
      "http://example.com",
      "--rpc",
      "http://127.0.0.1:9",
      "--data",
      data,
    ]);
    expect(answer).toEqual({
      code: 2,
      stderr:
        "witness: --log: The operator URL must be https (or http on this machine): http://example.com\n",
    });
  });

  it("refuses fewer than 1 confirmation, in words (exit 2)", { timeout: 150_000 }, async () => {
    const data = tempDir("witness-cli");
    const answer = await witness([
      "--rpc",
      "http://127.0.0.1:9",
      "--confirmations",
      "0",
      "--data",
      data,
    ]);
    expect(answer).toEqual({
      code: 2,
      stderr: "witness: --confirmations must be at least 1 (1 reads the latest block)\n",
    });
  });
});
