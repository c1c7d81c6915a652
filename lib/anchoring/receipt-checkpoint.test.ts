import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { checkpointCosignatures, checkpoints } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import type { TrustRoot } from "@/lib/ledger/identity";
import { fromHex, leafHash, verifyInclusion } from "@/lib/ledger/merkle";
import { checkLogSignature, checkWitnesses, formatTlogProof } from "@/lib/ledger/signed-checkpoint";
import { getReceipt } from "@/lib/redemptions/redemptions";
import { formatCheckpoint } from "@/lib/tlog/checkpoint";
import { formatNote } from "@/lib/tlog/note";
import { cosign, generateSignerKey, parseSignerKey, signNote } from "@/lib/tlog/sign";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { interopEnabled, runCheck } from "@/test/interop/checker";
import { receiptCheckpointFor } from "./receipt-checkpoint";
import { sequenceEntries } from "./sequence-entries";

const db = connectTestDb();
const ORIGIN = "receipts.test";
const NOW = 1_796_000_000;
const keys = {
  log: generateSignerKey(ORIGIN, 0x01),
  alice: generateSignerKey("witness-a.test", 0x04),
  bob: generateSignerKey("witness-b.test", 0x04),
  carol: generateSignerKey("witness-c.test", 0x04),
};
const signer = (name: keyof typeof keys) => parseSignerKey(keys[name].skey);
let dropId: string;
const sizes: number[] = [];
let firstRedemption: { id: string; playerId: string };

async function claim() {
  const [playerId] = (await createPlayers(db, 1)) as [string];
  const { redemption } = await claimDrop(db, { dropId, playerId });
  return { id: redemption.id, playerId };
}

/** Sequences what waits and marks its checkpoint anchored, as the worker would. */
async function anchor(): Promise<number> {
  const { treeSize } = await sequenceEntries(db, 1000);
  await db.execute(sql`
    update checkpoints set status = 'anchored', tx_hash = ${`0x${"a1".repeat(32)}`},
           chain_id = 31337, contract = ${`0x${"c".repeat(40)}`}, block_number = 7,
           block_time = 1700000000, anchored_at = now()
    where tree_size = ${treeSize}`);
  sizes.push(treeSize);
  return treeSize;
}

/** Signs a stored checkpoint with the log key and stores the named witnesses' cosignatures. */
async function sign(
  treeSize: number,
  witnesses: Array<"alice" | "bob" | "carol">,
): Promise<string> {
  const [cp] = await db.select().from(checkpoints).where(eq(checkpoints.treeSize, treeSize));
  if (!cp) throw new Error(`no checkpoint ${treeSize}`);
  const text = formatCheckpoint({ origin: ORIGIN, size: treeSize, rootHash: cp.rootHash });
  await db
    .update(checkpoints)
    .set({ note: formatNote(text, [signNote(text, signer("log"))]) })
    .where(eq(checkpoints.treeSize, treeSize));
  for (const name of witnesses) {
    await db.insert(checkpointCosignatures).values({
      treeSize,
      witnessKey: keys[name].vkey,
      line: cosign(text, signer(name), NOW - 10),
      cosignedAt: NOW - 10,
    });
  }
  return text;
}

/** The witnesses the operator configures: alice and bob (the tests' retired one is carol). */
const configured = (quorum: number) => ({ keys: [keys.alice.vkey, keys.bob.vkey], quorum });

/** The first redemption's receipt, as getReceipt serves it with the configured witnesses. */
const firstReceipt = () =>
  getReceipt(db, firstRedemption.playerId, firstRedemption.id, "redemption", configured(0));

const chosenSize = async (leafIndex: number, quorum: number) =>
  (await receiptCheckpointFor(db, leafIndex, configured(quorum)))?.checkpoint.treeSize;

beforeAll(async () => {
  ({ dropId } = await createTestDrop(db, { units: 6 }));
  firstRedemption = await claim();
  await claim();
  await anchor();
});

describe("the checkpoint a receipt is issued with", () => {
  it("is the first anchored one while none is signed, and none before any is anchored", async () => {
    expect(await chosenSize(0, 0)).toBe(sizes[0]);
    expect(await chosenSize(0, 2)).toBe(sizes[0]);
    expect((await receiptCheckpointFor(db, 0, configured(0)))?.signedNote).toBeUndefined();
    expect(await receiptCheckpointFor(db, 1000, configured(0))).toBeUndefined();
    expect(await receiptCheckpointFor(db, null, configured(0))).toBeUndefined();
  });

  it("is the first signed one with the quorum's cosignatures, else the first signed", async () => {
    await claim();
    await sign(await anchor(), ["alice"]);
    await claim();
    await sign(await anchor(), ["bob", "alice"]);
    const [, once, twice] = sizes;
    expect(await chosenSize(0, 0)).toBe(once);
    expect(await chosenSize(0, 1)).toBe(once);
    expect(await chosenSize(0, 2)).toBe(twice);
    // A quorum no checkpoint reached: the first signed one still carries what it has.
    expect(await chosenSize(0, 3)).toBe(once);
    expect(await chosenSize((twice ?? 0) - 1, 0)).toBe(twice);
  });

  it("carries the log's note with every stored cosignature, in a stable order", async () => {
    const twice = sizes[2] as number;
    const chosen = await receiptCheckpointFor(db, 0, configured(2));
    const note = chosen?.signedNote ?? "";
    const lines = note.split("\n").filter((l) => l.startsWith("— "));
    expect(lines.map((l) => l.split(" ")[1])).toEqual([
      ORIGIN,
      ...[keys.alice, keys.bob]
        .sort((a, b) => (a.vkey < b.vkey ? -1 : 1))
        .map((k) => k.vkey.split("+")[0]),
    ]);
    // A stored row that is not a signature line is left out, not served.
    await db.insert(checkpointCosignatures).values({
      treeSize: twice,
      witnessKey: "broken+00000000+AA==",
      line: "not a signature line\n",
      cosignedAt: NOW,
    });
    expect((await receiptCheckpointFor(db, 0, configured(2)))?.signedNote).toBe(note);
  });

  it("is what getReceipt proves the leaf in, and its note verifies", async () => {
    // Tests publish no quorum: the first signed checkpoint.
    const receipt = await firstReceipt();
    if (receipt?.status !== "anchored") throw new Error("not anchored");
    expect(receipt.checkpoint.treeSize).toBe(sizes[1]);
    expect(
      verifyInclusion(
        leafHash(fromHex(receipt.leaf.data)),
        receipt.leaf.index,
        receipt.checkpoint.treeSize,
        receipt.inclusionProof.map(fromHex),
        fromHex(receipt.checkpoint.rootHash),
      ),
    ).toBe(true);
    const trust: TrustRoot = {
      chainId: 31337,
      contract: `0x${"c".repeat(40)}`,
      logKey: keys.log.vkey,
      witnesses: [keys.alice.vkey, keys.bob.vkey],
      quorum: 1,
      source: "the test",
    };
    const note = receipt.signedCheckpoint;
    expect(receipt.tlogProof).toBe(
      formatTlogProof(receipt.leaf.index, receipt.inclusionProof, note ?? ""),
    );
    expect(await checkLogSignature(note, receipt.checkpoint, trust)).toMatchObject({ ok: true });
    expect(await checkWitnesses(note, receipt.checkpoint, trust, NOW)).toMatchObject({ ok: true });
  });

  it("counts and carries only the configured witnesses, not one rotated out", async () => {
    const leafIndex = sizes.at(-1) as number;
    await claim();
    const withRetired = await anchor();
    await sign(withRetired, ["alice", "carol"]);
    await claim();
    const withCurrent = await anchor();
    await sign(withCurrent, ["alice", "bob"]);
    // Carol's line would make two: the receipt moves on to the first the current two cosigned.
    expect(await chosenSize(leafIndex, 2)).toBe(withCurrent);
    const once = await receiptCheckpointFor(db, leafIndex, configured(1));
    expect(once?.checkpoint.treeSize).toBe(withRetired);
    expect(once?.signedNote).toContain("— witness-a.test ");
    expect(once?.signedNote).not.toContain("witness-c.test");
  });
});

describe.runIf(interopEnabled())("a receipt's tlog-proof, read by Go's x/mod", () => {
  it("proves its leaf under the log's signature, with the witnesses' cosignatures", async () => {
    const receipt = await firstReceipt();
    if (receipt?.status !== "anchored" || !receipt.tlogProof) throw new Error("no tlog-proof");
    const keysOf = [keys.log.vkey, keys.alice.vkey, keys.bob.vkey];
    const out = await runCheck(["tlog-proof", receipt.leaf.data, ...keysOf], receipt.tlogProof);
    expect(out).toContain(`included ${receipt.leaf.index} in ${receipt.checkpoint.treeSize}`);
    expect(out).toContain(`signed ${ORIGIN}`);
    expect(out).toContain(`cosigned witness-a.test at ${NOW - 10}`);
    // Another leaf at that index, or another log key, is refused.
    const lastByte = Number.parseInt(receipt.leaf.data.slice(-2), 16) ^ 1;
    const otherLeaf = `${receipt.leaf.data.slice(0, -2)}${lastByte.toString(16).padStart(2, "0")}`;
    await expect(runCheck(["tlog-proof", otherLeaf, ...keysOf], receipt.tlogProof)).rejects.toThrow(
      /tlog.CheckRecord/,
    );
    const impostor = generateSignerKey(ORIGIN, 0x01).vkey;
    await expect(
      runCheck(["tlog-proof", receipt.leaf.data, impostor], receipt.tlogProof),
    ).rejects.toThrow(/note.Open/);
  }, 120_000);
});
