import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import {
  type EmbeddedPostgresPair,
  startEmbeddedPostgresPair,
} from "@/scripts/lib/embedded-replica";

/**
 * A primary and its synchronous standby in a directory of their own, started before the tests
 * of the calling describe block and stopped and removed after them. Returns the pair's getter.
 */
export function useEmbeddedPair(ports: {
  primaryPort: number;
  standbyPort: number;
}): () => EmbeddedPostgresPair {
  let dir: string;
  let pair: EmbeddedPostgresPair | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "prizeledger-pair-"));
    pair = await startEmbeddedPostgresPair({ dir, ...ports });
  });

  afterAll(async () => {
    await pair?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  return () => {
    if (!pair) throw new Error("the pair has not started");
    return pair;
  };
}
