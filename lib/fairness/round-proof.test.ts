import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sequenceEntries } from "@/lib/anchoring/sequence-entries";
import { rotateSeed } from "@/lib/fairness/seeds";
import { playRound } from "@/lib/rounds/play-round";
import { connectTestDb, createPlayers } from "@/test/db";
import { grantTestCoins } from "@/test/wallet";
import { getRoundProof } from "./round-proof";
import { listSeeds } from "./seed-log";
import { type RoundProof, verifyRoundProof } from "./verify-round";

const db = connectTestDb(6);

const states = (proof: RoundProof) =>
  Object.fromEntries(verifyRoundProof(proof).steps.map((s) => [s.id, s.state]));

/** Sequences what is waiting and anchors the checkpoint, as the worker and the chain would. */
async function anchorAll(): Promise<void> {
  const { treeSize } = await sequenceEntries(db, 1000);
  await db.execute(sql`
    update checkpoints set status = 'anchored', tx_hash = ${`0x${"ab".repeat(32)}`},
           block_number = 7, anchored_at = now()
    where tree_size = ${treeSize}`);
}

async function playedRound(): Promise<{ player: string; roundId: string }> {
  const [player] = await createPlayers(db, 1);
  if (!player) throw new Error("no player");
  await grantTestCoins(db, player, "GC", 10_000);
  const { round } = await playRound(db, {
    playerId: player,
    body: { game: "dice", currency: "GC", stake: "2.50", params: { target: 50 } },
    idempotencyKey: "proof",
  });
  return { player, roundId: round.id };
}

describe("a round's proof", () => {
  it("is its player's alone until the seed is revealed, then anyone's, and every step passes once anchored", async () => {
    const { player, roundId } = await playedRound();
    const [stranger] = await createPlayers(db, 1);
    expect(await getRoundProof(db, roundId, stranger ?? null)).toBeUndefined();
    expect(await getRoundProof(db, roundId, null)).toBeUndefined();

    const early = await getRoundProof(db, roundId, player);
    if (!early) throw new Error("no proof for the player");
    expect(early.serverSeed).toBeNull();
    expect(states(early)).toEqual({
      seed: "not_run",
      commitment: "not_run",
      outcome: "not_run",
      payout: "not_run",
      record: "not_run",
    });
    expect(verifyRoundProof(early).state).toBe("incomplete");

    await rotateSeed(db, player);
    const revealed = await getRoundProof(db, roundId, null);
    if (!revealed) throw new Error("a revealed round is public");
    expect(JSON.stringify(revealed)).not.toContain(player);
    expect(states(revealed)).toMatchObject({ seed: "passed", outcome: "passed", payout: "passed" });
    expect(states(revealed).commitment).toBe("not_run");

    await anchorAll();
    const anchored = await getRoundProof(db, roundId, null);
    if (!anchored) throw new Error("no proof");
    expect(verifyRoundProof(anchored)).toMatchObject({ state: "passed" });
    expect(anchored.seedLeaf.index).toBeLessThan(anchored.roundLeaf.index ?? -1);

    const seeds = await listSeeds(db, player);
    expect(seeds.map((s) => s.status)).toEqual(["next", "active", "revealed"]);
    const old = seeds[2];
    expect(old).toMatchObject({ serverSeed: anchored.serverSeed, rounds: 1 });
    expect(old?.anchoredBy?.treeSize).toBeGreaterThan(old?.leafIndex ?? Infinity);
    expect(seeds[0]?.serverSeed).toBeNull();
    expect(seeds[1]?.serverSeed).toBeNull();
  });

  it("fails the step a forged seed, outcome, payout, leaf or audit path breaks", async () => {
    const { player, roundId } = await playedRound();
    await rotateSeed(db, player);
    await anchorAll();
    const proof = await getRoundProof(db, roundId, player);
    if (!proof) throw new Error("no proof");
    expect(verifyRoundProof(proof).state).toBe("passed");
    const failed = (forged: RoundProof) =>
      verifyRoundProof(forged)
        .steps.filter((s) => s.state === "failed")
        .map((s) => s.id);

    expect(failed({ ...proof, serverSeed: "0".repeat(64) })).toEqual(
      expect.arrayContaining(["seed", "outcome"]),
    );
    const win = proof.record.outcome.win === true;
    expect(
      failed({
        ...proof,
        record: { ...proof.record, outcome: { ...proof.record.outcome, win: !win } },
      }),
    ).toEqual(["outcome", "record"]);
    expect(failed({ ...proof, record: { ...proof.record, payout: "999.00" } })).toEqual([
      "payout",
      "record",
    ]);
    expect(failed({ ...proof, seedLeaf: proof.roundLeaf })).toEqual(["commitment"]);
    const anchor = proof.roundAnchor;
    if (!anchor) throw new Error("the round is not anchored");
    expect(anchor.inclusionProof.length).toBeGreaterThan(0);
    const forgedPath = [`0x${"00".repeat(32)}`, ...anchor.inclusionProof.slice(1)];
    expect(failed({ ...proof, roundAnchor: { ...anchor, inclusionProof: forgedPath } })).toEqual([
      "record",
    ]);
  });
});
