import { eq } from "drizzle-orm";
import { Contract } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpointCosignatures, checkpoints } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { LEDGER_ABI } from "@/lib/ledger/contract";
import { toHex } from "@/lib/ledger/merkle";
import { parseCheckpoint } from "@/lib/tlog/checkpoint";
import { openNote, parseVerifierKey } from "@/lib/tlog/note";
import { cosign, generateSignerKey, parseSignerKey } from "@/lib/tlog/sign";
import { serveRoutesFrom } from "@/test/api-routes";
import { connectTestChain } from "@/test/chain";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { GET } from "../../app/checkpoint/route";
import { checkpointNote, signCheckpoint, signUnsignedCheckpoints } from "./log-checkpoints";
import { listAnchoredCheckpoints } from "./public-log";
import { anchoringPass } from "./run-anchoring";

// The worker's configuration: env() reads it once, at the first use, so it is set before any.
const ORIGIN = "prizes.test/log";
const LOG_KEY = generateSignerKey(ORIGIN, 0x01);
const saved = { origin: process.env.LOG_ORIGIN, key: process.env.LOG_SIGNING_KEY };
process.env.LOG_ORIGIN = ORIGIN;
process.env.LOG_SIGNING_KEY = LOG_KEY.skey;
afterAll(() => {
  process.env.LOG_ORIGIN = saved.origin;
  process.env.LOG_SIGNING_KEY = saved.key;
  if (saved.origin === undefined) delete process.env.LOG_ORIGIN;
  if (saved.key === undefined) delete process.env.LOG_SIGNING_KEY;
});

const db = connectTestDb(10);
const chain = connectTestChain();
const signer = { key: parseSignerKey(LOG_KEY.skey), origin: ORIGIN };
beforeAll(() => serveRoutesFrom(db));

async function claim(count: number): Promise<void> {
  const { dropId } = await createTestDrop(db, { units: count });
  for (const playerId of await createPlayers(db, count)) await claimDrop(db, { dropId, playerId });
}

async function checkpointRow(treeSize: number) {
  const [row] = await db.select().from(checkpoints).where(eq(checkpoints.treeSize, treeSize));
  if (!row) throw new Error(`no checkpoint ${treeSize}`);
  return row;
}

async function served(): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await GET(
    new Request("http://localhost/checkpoint") as never,
    {
      params: Promise.resolve({}),
    } as never,
  );
  return { status: response.status, text: await response.text(), headers: response.headers };
}

describe("signed checkpoints", () => {
  it("serves a 404 in words before the first checkpoint is signed", async () => {
    const answer = await served();
    expect(answer.status).toBe(404);
    expect(answer.text).toMatch(/has not signed a checkpoint yet/);
    // Uncached, so it may carry its request id for support.
    expect(answer.headers.get("x-request-id")).not.toBeNull();
  });

  it("signs the size and root the contract anchors, under the log's key", async () => {
    await claim(3);
    const result = await anchoringPass(db, chain, 1000);
    if (result.status !== "anchored") throw new Error(`not anchored: ${result.status}`);
    const row = await checkpointRow(result.treeSize);
    if (row.note === null) throw new Error("the anchored checkpoint has no note");
    const opened = await openNote(row.note, [parseVerifierKey(LOG_KEY.vkey)]);
    expect(opened.verified.map((v) => v.key.vkey)).toEqual([LOG_KEY.vkey]);
    const body = parseCheckpoint(opened.text);
    expect(body).toMatchObject({ origin: ORIGIN, size: result.treeSize, extensions: [] });
    const contract = new Contract(chain.contractAddress, LEDGER_ABI, chain.provider);
    const [onChain] = (await contract.getFunction("checkpointAt")(result.treeSize)) as [string];
    expect(toHex(body.rootHash)).toBe(onChain.toLowerCase());
  });

  it("serves the latest note with its cosignatures, sorted by witness key", async () => {
    const [latest] = await db.select().from(checkpoints).where(eq(checkpoints.status, "anchored"));
    if (!latest?.note) throw new Error("no signed checkpoint");
    const text = latest.note.slice(0, latest.note.indexOf("\n\n") + 1);
    const witnesses = ["w-b.test", "w-a.test"].map((name) => generateSignerKey(name, 0x04));
    const lines = witnesses.map((w, i) => cosign(text, parseSignerKey(w.skey), 1_700_000_000 + i));
    await db.insert(checkpointCosignatures).values(
      witnesses.map((w, i) => ({
        treeSize: latest.treeSize,
        witnessKey: w.vkey,
        line: lines[i] ?? "",
        cosignedAt: 1_700_000_000 + i,
      })),
    );
    const answer = await served();
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(answer.headers.get("access-control-allow-origin")).toBe("*");
    expect(answer.headers.get("cache-control")).toBe("public, max-age=5");
    // Caches share it: one request's id must not reach every reader.
    expect(answer.headers.get("x-request-id")).toBeNull();
    const sorted = witnesses
      .map((w, i) => ({ vkey: w.vkey, line: lines[i] }))
      .sort((a, b) => (a.vkey < b.vkey ? -1 : 1));
    expect(answer.text).toBe(latest.note + sorted.map((s) => s.line).join(""));
    const opened = await openNote(answer.text, [
      parseVerifierKey(LOG_KEY.vkey),
      ...witnesses.map((w) => parseVerifierKey(w.vkey)),
    ]);
    expect(opened.verified).toHaveLength(3);
    // The public log API's JSON view: the same note, the same lines in the same order.
    const [listed] = await listAnchoredCheckpoints(db);
    expect(listed?.note).toBe(latest.note);
    expect(listed?.cosignatures.map((c) => c.line)).toEqual(sorted.map((s) => s.line));
  });

  it("serves the newest signed checkpoint that is still anchored, never one the chain lost", async () => {
    const before = await served();
    await claim(1);
    const result = await anchoringPass(db, chain, 1000);
    if (result.status !== "anchored") throw new Error(`not anchored: ${result.status}`);
    const newest = await checkpointRow(result.treeSize);
    expect((await served()).text).toBe(newest.note);
    // As reopenLost leaves it: signed, but pending again until the same pair is re-anchored.
    await db
      .update(checkpoints)
      .set({ status: "pending" })
      .where(eq(checkpoints.treeSize, result.treeSize));
    const answer = await served();
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(before.text);
    expect(
      parseCheckpoint(answer.text.slice(0, answer.text.indexOf("\n\n") + 1)).size,
    ).toBeLessThan(result.treeSize);
    await db
      .update(checkpoints)
      .set({ status: "anchored" })
      .where(eq(checkpoints.treeSize, result.treeSize));
    expect((await served()).text).toBe(newest.note);
  });

  it("signs the anchored checkpoints that were anchored before the log had a key", async () => {
    const [latest] = await db.select().from(checkpoints).where(eq(checkpoints.status, "anchored"));
    if (!latest?.note) throw new Error("no signed checkpoint");
    await db
      .update(checkpoints)
      .set({ note: null })
      .where(eq(checkpoints.treeSize, latest.treeSize));
    expect(await signUnsignedCheckpoints(db, signer)).toBe(1);
    // Ed25519 is deterministic: the same bytes as signed at anchoring.
    expect((await checkpointRow(latest.treeSize)).note).toBe(latest.note);
    expect(await signUnsignedCheckpoints(db, signer)).toBe(0);
  });

  it("refuses, loudly, to sign a second root for a size it signed", async () => {
    const [latest] = await db.select().from(checkpoints).where(eq(checkpoints.status, "anchored"));
    if (!latest?.note) throw new Error("no signed checkpoint");
    const forged = checkpointNote(signer, latest.treeSize, new Uint8Array(32).fill(7));
    await db
      .update(checkpoints)
      .set({ note: forged })
      .where(eq(checkpoints.treeSize, latest.treeSize));
    await expect(
      db.transaction((tx) => signCheckpoint(tx, signer, latest.treeSize)),
    ).rejects.toThrow(/refusing to sign a fork: checkpoint \d+ was signed for other bytes/);
    await db
      .update(checkpoints)
      .set({ note: null, rootHash: new Uint8Array(32).fill(7) })
      .where(eq(checkpoints.treeSize, latest.treeSize));
    await expect(signUnsignedCheckpoints(db, signer)).rejects.toThrow(
      /refusing to sign a fork: checkpoint \d+ has root 0x0707/,
    );
    expect((await checkpointRow(latest.treeSize)).note).toBeNull();
    await db
      .update(checkpoints)
      .set({ note: latest.note, rootHash: latest.rootHash })
      .where(eq(checkpoints.treeSize, latest.treeSize));
  });
});
