import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkpointCosignatures, checkpoints, logWitnessState } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { EMPTY_ROOT, verifyConsistency } from "@/lib/ledger/merkle";
import { parseCheckpoint } from "@/lib/tlog/checkpoint";
import { openNote, parseVerifierKey } from "@/lib/tlog/note";
import { cosign, generateSignerKey, parseSignerKey } from "@/lib/tlog/sign";
import { parseAddCheckpoint } from "@/lib/tlog/witness-protocol";
import { connectTestDb, createPlayers, createTestDrop, testDatabaseUrl } from "@/test/db";
import { waitFor } from "@/test/wait-for";
import { latestSignedCheckpoint, signCheckpoint } from "./log-checkpoints";
import { sequenceEntries } from "./sequence-entries";
import { runWitnessing, submitToWitness } from "./witnesses";

const db = connectTestDb(10);
const ORIGIN = "prizes.test/witnessed";
const LOG_KEY = generateSignerKey(ORIGIN, 0x01);
const signer = { key: parseSignerKey(LOG_KEY.skey), origin: ORIGIN };
const WITNESS_KEY = generateSignerKey("witness.test/w1", 0x04);
const STRANGER_KEY = generateSignerKey("witness.test/w1", 0x04);

type Answer = { status: number; body: string; type?: string } | "hang";

/**
 * A small C2SP tlog-witness built from lib/tlog: it checks the log's signature, the old size and
 * the consistency proof, and cosigns with `key`. `override` answers in its place, to play a
 * witness that is down, lies or refuses.
 */
class TestWitness {
  size = 0;
  root = EMPTY_ROOT;
  requests: string[] = [];
  key = parseSignerKey(WITNESS_KEY.skey);
  cosignedAt = 1_750_000_000;
  override: ((body: string) => Answer) | undefined;
  private server: Server | undefined;
  private hanging: ServerResponse[] = [];

  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = "";
    for await (const chunk of request) body += chunk;
    this.requests.push(body);
    const answer = this.override?.(body) ?? (await this.addCheckpoint(body));
    if (answer === "hang") {
      this.hanging.push(response);
      return;
    }
    response.writeHead(answer.status, { "content-type": answer.type ?? "text/plain" });
    response.end(answer.body);
  }

  private async addCheckpoint(body: string): Promise<Answer> {
    const request = parseAddCheckpoint(body);
    const opened = await openNote(request.note, [parseVerifierKey(LOG_KEY.vkey)]);
    if (opened.verified.length === 0) return { status: 403, body: "not signed by the log\n" };
    const checkpoint = parseCheckpoint(opened.text);
    if (request.oldSize !== this.size) {
      return { status: 409, body: `${this.size}\n`, type: "text/x.tlog.size" };
    }
    const consistent = verifyConsistency(
      this.size,
      checkpoint.size,
      this.root,
      checkpoint.rootHash,
      request.proof,
    );
    if (!consistent) return { status: 422, body: "inconsistent\n" };
    this.size = checkpoint.size;
    this.root = checkpoint.rootHash;
    return { status: 200, body: cosign(opened.text, this.key, this.cosignedAt) };
  }
}

const witness = new TestWitness();
let url = "";
beforeAll(async () => {
  url = await witness.start();
});
afterAll(() => witness.stop());
beforeEach(() => {
  witness.requests = [];
  witness.override = undefined;
  witness.key = parseSignerKey(WITNESS_KEY.skey);
  witness.cosignedAt = 1_750_000_000;
});

/** Claims `count` more prizes and signs the checkpoint that covers them, as the worker would. */
async function grow(count: number) {
  const { dropId } = await createTestDrop(db, { units: count });
  for (const playerId of await createPlayers(db, count)) await claimDrop(db, { dropId, playerId });
  const { treeSize: newSize } = await sequenceEntries(db, 1000);
  // Only anchored checkpoints are signed and published (the anchorer's chain is not needed here).
  await db.update(checkpoints).set({ status: "anchored" }).where(eq(checkpoints.treeSize, newSize));
  await db.transaction((tx) => signCheckpoint(tx, signer, newSize));
  const checkpoint = await latestSignedCheckpoint(db);
  if (checkpoint?.treeSize !== newSize) throw new Error("the new checkpoint is not the latest");
  return checkpoint;
}

function submit(checkpoint: Awaited<ReturnType<typeof grow>>, timeoutMs = 5_000) {
  return submitToWitness(db, { key: WITNESS_KEY.vkey, url }, checkpoint, timeoutMs);
}

async function stored() {
  const cosignatures = await db.select().from(checkpointCosignatures);
  const [state] = await db.select().from(logWitnessState);
  return { cosignatures, witnessSize: state?.treeSize };
}

describe("submitting checkpoints to witnesses", () => {
  it("keeps the cosignature, then submits the next checkpoint with its consistency proof", async () => {
    const first = await grow(3);
    expect(await submit(first)).toEqual({
      status: "cosigned",
      treeSize: first.treeSize,
      cosignedAt: 1_750_000_000,
    });
    const second = await grow(2);
    expect((await submit(second)).status).toBe("cosigned");
    expect(witness.requests[1]).toMatch(new RegExp(`^old ${first.treeSize}\n[A-Za-z0-9+/=]+\n`));
    const { cosignatures, witnessSize } = await stored();
    expect(witnessSize).toBe(second.treeSize);
    expect(cosignatures.map((c) => c.treeSize).sort()).toEqual([first.treeSize, second.treeSize]);
    // The stored line, appended to the note, verifies under the witness's key.
    const latest = await latestSignedCheckpoint(db);
    const line = latest?.cosignatures[0]?.line ?? "";
    const opened = await openNote(`${latest?.note}${line}`, [parseVerifierKey(WITNESS_KEY.vkey)]);
    expect(opened.verified[0]?.timestamp).toBe(1_750_000_000);
  });

  it("retries once from the size a 409 names when the log signed that size", async () => {
    const checkpoint = await grow(1);
    // The log forgot what the witness has (its state was lost): it starts from 0.
    await db.delete(logWitnessState);
    expect((await submit(checkpoint)).status).toBe("cosigned");
    expect(witness.requests.map((r) => r.split("\n")[0])).toEqual([
      "old 0",
      `old ${checkpoint.treeSize - 1}`,
    ]);
    expect((await stored()).witnessSize).toBe(checkpoint.treeSize);
  });

  it("does not retry, and says so, when the witness has seen a larger tree from this log", async () => {
    const checkpoint = await grow(1);
    witness.override = () => ({ status: 409, body: "1000000\n", type: "text/x.tlog.size" });
    const outcome = await submit(checkpoint);
    expect(outcome).toMatchObject({
      status: "refused",
      reason: expect.stringMatching(/split view/),
    });
    expect(witness.requests).toHaveLength(1);
  });

  it("gives up on a 422 and on a size it never signed, but retries an unreachable witness", async () => {
    const checkpoint = await grow(1);
    witness.override = () => ({ status: 422, body: "the proof does not hold\n" });
    expect(await submit(checkpoint)).toEqual({
      status: "refused",
      reason: "422: the proof does not hold",
    });
    witness.override = () => ({ status: 409, body: "2\n", type: "text/x.tlog.size" });
    expect(await submit(checkpoint)).toMatchObject({
      status: "refused",
      reason: "it holds size 2, which this log never signed",
    });
    witness.override = () => ({ status: 503, body: "the chain is unreachable\n" });
    expect((await submit(checkpoint)).status).toBe("retry");
    witness.override = () => "hang";
    expect(await submit(checkpoint, 200)).toMatchObject({
      status: "retry",
      reason: expect.stringMatching(/^unreachable/),
    });
  });

  it("refuses, and does not store, a cosignature dated in the future", async () => {
    const checkpoint = await grow(1);
    const before = (await stored()).cosignatures.length;
    // A day ahead of this machine's clock: far beyond any skew, whenever the test runs.
    witness.cosignedAt = Math.floor(Date.now() / 1000) + 86_400;
    const outcome = await submit(checkpoint);
    expect(outcome).toMatchObject({ status: "refused" });
    expect(outcome.status === "refused" && outcome.reason).toMatch(
      /in the future: its clock is wrong$/,
    );
    expect((await stored()).cosignatures).toHaveLength(before);
  });

  it("ignores a line signed by another key", async () => {
    const checkpoint = await grow(1);
    const before = (await stored()).cosignatures.length;
    witness.key = parseSignerKey(STRANGER_KEY.skey);
    expect(await submit(checkpoint)).toEqual({
      status: "refused",
      reason: "its answer holds no cosignature by its key",
    });
    expect((await stored()).cosignatures).toHaveLength(before);
    // The witness cosigned all the same (with the wrong key): the log keeps its size from the 409.
    witness.key = parseSignerKey(WITNESS_KEY.skey);
    expect((await submit(checkpoint)).status).toBe("cosigned");
    const rows = await db
      .select()
      .from(checkpointCosignatures)
      .where(eq(checkpointCosignatures.treeSize, checkpoint.treeSize));
    expect(rows).toHaveLength(1);
  });

  it("runs in the worker: the newest checkpoint reaches a witness while another is down", async () => {
    const checkpoint = await grow(2);
    const sql = postgres(testDatabaseUrl(db), { max: 1, onnotice: () => {} });
    const controller = new AbortController();
    const warnings: string[] = [];
    const log = {
      info: () => {},
      warning: (event: string) => warnings.push(event),
      error: () => {},
      child: () => log,
    };
    const down = generateSignerKey("witness.test/down", 0x04);
    const loop = runWitnessing({
      db,
      sql,
      witnesses: [
        { key: down.vkey, url: "http://127.0.0.1:1" },
        { key: WITNESS_KEY.vkey, url },
      ],
      timeoutMs: 5_000,
      retryMs: 60_000,
      signal: controller.signal,
      log,
    });
    try {
      await waitFor(async () => {
        const [row] = await db
          .select()
          .from(checkpointCosignatures)
          .where(
            and(
              eq(checkpointCosignatures.treeSize, checkpoint.treeSize),
              eq(checkpointCosignatures.witnessKey, WITNESS_KEY.vkey),
            ),
          );
        return row;
      });
      await waitFor(async () => warnings.includes("witness_unavailable_will_retry"));
    } finally {
      controller.abort();
      await loop;
      await sql.end({ timeout: 1 });
    }
  });
});
