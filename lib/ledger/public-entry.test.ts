import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { sequenceEntries } from "@/lib/anchoring/sequence-entries";
import { claimDrop } from "@/lib/claims/claim-drop";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { parseLedgerQuery } from "./ledger-query";
import { fromHex, leafHash, toHex, verifyInclusion } from "./merkle";
import { getPublicEntry, leafNames, searchLedger } from "./public-entry";

const db = connectTestDb(6);
const TX_A = `0x${"a1".repeat(32)}`;
const TX_B = `0x${"b2".repeat(32)}`;
let first: { index: number; redemptionId: string; prizeId: string };
let later: { index: number; redemptionId: string };

/** Sequences what waits and anchors its checkpoint under `txHash`, as the worker would. */
async function anchorAll(txHash: string): Promise<number> {
  const { treeSize } = await sequenceEntries(db, 1000);
  await db.execute(sql`
    update checkpoints set status = 'anchored', tx_hash = ${txHash}, chain_id = 31337,
           contract = ${`0x${"c".repeat(40)}`}, block_number = 7, block_time = 1700000000,
           anchored_at = now()
    where tree_size = ${treeSize}`);
  return treeSize;
}

async function claim(dropId: string): Promise<string> {
  const [player] = await createPlayers(db, 1);
  return (await claimDrop(db, { dropId, playerId: player as string })).redemption.id;
}

const search = (q: string) => {
  const query = parseLedgerQuery(q);
  if (query.kind === "invalid") throw new Error(query.error);
  return searchLedger(db, query);
};

beforeAll(async () => {
  const drop = await createTestDrop(db, { units: 5 });
  const a = await claim(drop.dropId);
  const b = await claim(drop.dropId);
  const size = await anchorAll(TX_A);
  const c = await claim(drop.dropId);
  await anchorAll(TX_B);
  await claim(drop.dropId); // recorded, not yet sequenced
  const indexOf = async (id: string) => (await search(id)).leaves[0]?.index ?? Number.NaN;
  first = { index: await indexOf(a), redemptionId: a, prizeId: drop.prizeId };
  later = { index: await indexOf(c), redemptionId: c };
  expect(await indexOf(b)).toBe(size - 1);
});

describe("the public ledger entry", () => {
  it("decodes the leaf with its prize and drop names, never naming the player", async () => {
    const entry = await getPublicEntry(db, first.index);
    expect(entry?.entry).toMatchObject({ kind: "redemption", entryId: first.redemptionId });
    expect(entry?.prize).toEqual({ id: first.prizeId, name: expect.any(String) });
    expect(entry?.drop?.title).toBe("Test drop");
    expect(JSON.stringify(entry)).not.toMatch(/playerId|salt|email/);
    expect(await getPublicEntry(db, 1_000_000)).toBeUndefined();
  });

  it("proves inclusion in the latest anchored checkpoint, and names the first one that anchored it", async () => {
    const entry = await getPublicEntry(db, first.index);
    if (!entry?.inclusion) throw new Error("no inclusion");
    expect(entry.anchor?.txHash).toBe(TX_A);
    expect(entry.inclusion.treeSize).toBeGreaterThan(entry.anchor?.treeSize ?? 0);
    expect(
      verifyInclusion(
        fromHex(entry.leafHash),
        entry.index,
        entry.inclusion.treeSize,
        entry.inclusion.auditPath.map(fromHex),
        fromHex(entry.inclusion.rootHash),
      ),
    ).toBe(true);
  });

  it("is found by index, redemption id, leaf hash and anchoring transaction", async () => {
    expect((await search(String(later.index))).leaves.map((l) => l.index)).toEqual([later.index]);
    const entry = await getPublicEntry(db, later.index);
    const byHash = await search(entry?.leafHash.toUpperCase().replace("0X", "0x") ?? "");
    expect(byHash.leaves.map((l) => l.index)).toEqual([later.index]);
    expect(toHex(leafHash(fromHex(entry?.data ?? "0x")))).toBe(entry?.leafHash);

    const byTx = await search(TX_B);
    expect(byTx.leaves).toEqual([]);
    expect(byTx.transaction?.from).toBe(later.index);
    expect(byTx.transaction?.leaves.map((l) => l.index)).toEqual([later.index]);
    const byFirstTx = await search(TX_A);
    expect(byFirstTx.transaction).toMatchObject({ from: 0, to: later.index });
  });

  it("finds nothing for an unknown index or hash, and counts an id's unsequenced entries", async () => {
    expect(await search("999999")).toEqual({ leaves: [], unsequenced: 0 });
    expect(await search(`0x${"0".repeat(64)}`)).toEqual({ leaves: [], unsequenced: 0 });
    const [waiting] = await db.execute<{ id: string }>(
      sql`select redemption_id as id from ledger_entries where leaf_index is null limit 1`,
    );
    expect(await search(waiting?.id ?? "")).toEqual({ leaves: [], unsequenced: 1 });
  });

  it("names the prizes and drops of many leaves at once", async () => {
    const { leaves } = await search(first.redemptionId);
    const names = await leafNames(db, leaves);
    expect(Object.keys(names.prizes)).toEqual([first.prizeId]);
    expect(Object.values(names.drops)).toEqual(["Test drop"]);
  });
});
