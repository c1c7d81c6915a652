import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, drops, ledgerEntries, redemptions } from "@/db/schema";
import { AppError } from "@/lib/errors/app-error";
import { decodeLeaf, playerCommitment } from "@/lib/ledger/leaf";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { claimDrop } from "./claim-drop";

const db = connectTestDb(60);

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "claimed";
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

describe("claimDrop", () => {
  it("gives exactly 50 units to 200 concurrent players on a 50-unit drop", async () => {
    const { dropId } = await createTestDrop(db, { units: 50 });
    const players = await createPlayers(db, 200);
    const outcomes = await Promise.all(
      players.map((playerId) => outcome(claimDrop(db, { dropId, playerId }))),
    );
    expect(outcomes.filter((o) => o === "claimed")).toHaveLength(50);
    expect(outcomes.filter((o) => o === "sold_out")).toHaveLength(150);

    const [drop] = await db.select().from(drops).where(eq(drops.id, dropId));
    expect(drop?.remaining).toBe(0);
    const rows = await db.select().from(redemptions).where(eq(redemptions.dropId, dropId));
    expect(rows).toHaveLength(50);
    expect(new Set(rows.map((r) => r.playerId)).size).toBe(50);
    const [ledger] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(ledgerEntries)
      .innerJoin(redemptions, eq(redemptions.id, ledgerEntries.redemptionId))
      .where(eq(redemptions.dropId, dropId));
    expect(ledger?.n).toBe(50);
    const audit = await db
      .select({ outcome: auditEvents.outcome, reason: auditEvents.reason })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "claim"), eq(auditEvents.subject, `drop:${dropId}`)));
    expect(audit.filter((a) => a.outcome === "ok")).toHaveLength(50);
    expect(audit.filter((a) => a.reason === "sold_out")).toHaveLength(150);
  });

  it("gives one unit to one player firing 20 concurrent claims", async () => {
    const { dropId } = await createTestDrop(db, { units: 10 });
    const [playerId] = await createPlayers(db, 1);
    if (!playerId) throw new Error("no player");
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => outcome(claimDrop(db, { dropId, playerId }))),
    );
    expect(outcomes.filter((o) => o === "claimed")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "limit_reached")).toHaveLength(19);
    const [drop] = await db.select().from(drops).where(eq(drops.id, dropId));
    expect(drop?.remaining).toBe(9);
  });

  it("refuses a drop that has not started or has ended, taking nothing", async () => {
    const [playerId] = await createPlayers(db, 1);
    if (!playerId) throw new Error("no player");
    const upcoming = await createTestDrop(db, { units: 5, startOffsetMs: 60_000 });
    const ended = await createTestDrop(db, {
      units: 5,
      startOffsetMs: -7_200_000,
      endOffsetMs: -1,
    });
    await expect(claimDrop(db, { dropId: upcoming.dropId, playerId })).rejects.toMatchObject({
      code: "not_started",
    });
    await expect(claimDrop(db, { dropId: ended.dropId, playerId })).rejects.toMatchObject({
      code: "ended",
    });
    await expect(
      claimDrop(db, { dropId: "00000000-0000-4000-8000-000000000000", playerId }),
    ).rejects.toMatchObject({ code: "not_found" });
    const rows = await db
      .select()
      .from(drops)
      .where(sql`${drops.id} in (${upcoming.dropId}, ${ended.dropId})`);
    expect(rows.map((r) => r.remaining)).toEqual([5, 5]);
  });

  it("writes a canonical leaf that commits to the player with the stored salt", async () => {
    const { dropId, prizeId } = await createTestDrop(db, { units: 1 });
    const [playerId] = await createPlayers(db, 1);
    if (!playerId) throw new Error("no player");
    const claim = await claimDrop(db, { dropId, playerId });
    const [row] = await db
      .select({ data: ledgerEntries.leafData, salt: redemptions.playerSalt })
      .from(ledgerEntries)
      .innerJoin(redemptions, eq(redemptions.id, ledgerEntries.redemptionId))
      .where(eq(redemptions.id, claim.redemptionId));
    if (!row) throw new Error("no ledger entry");
    const leaf = decodeLeaf(row.data);
    expect(leaf).toMatchObject({
      kind: "redemption",
      entryId: claim.redemptionId,
      prizeId,
      dropId,
    });
    expect(leaf.valueCents).toBe(2500);
    expect(leaf.playerCommitment).toEqual(playerCommitment(playerId, row.salt));
    expect(claim.code).toMatch(/^[2-9A-Z]{4}(-[2-9A-Z]{4}){3}$/);
  });
});
