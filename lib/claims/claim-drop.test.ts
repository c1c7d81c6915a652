import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, dropPools, drops, dropUnits, ledgerEntries, redemptions } from "@/db/schema";
import { issueApiToken } from "@/lib/auth/api-tokens";
import { env } from "@/lib/config/env";
import type { AppError } from "@/lib/errors/app-error";
import { decodeRedemptionLeaf, playerCommitment } from "@/lib/ledger/leaf";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { claimAnswersByWindow } from "@/test/rate-windows";
import { refusalOf } from "@/test/refusal";
import { claimDrop } from "./claim-drop";
import { RATE_WINDOW_SECONDS } from "./claim-engine";
import { findPlayerDropClaims } from "./player-claims";

const db = connectTestDb(20);

/** The refusal reason of a claim, or "claimed". */
const outcome = (promise: Promise<unknown>) => refusalOf(promise, "claimed");

function count(outcomes: string[], what: string): number {
  return outcomes.filter((o) => o === what).length;
}

async function available(dropId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(dropUnits)
    .where(and(eq(dropUnits.dropId, dropId), eq(dropUnits.status, "available")));
  return row?.n ?? -1;
}

async function onePlayer(overrides = {}): Promise<string> {
  const [id] = await createPlayers(db, 1, overrides);
  if (!id) throw new Error("no player");
  return id;
}

describe("claim engine", () => {
  it("gives exactly 100 distinct units to 1,000 concurrent players on a 100-unit drop", async () => {
    const { dropId } = await createTestDrop(db, { units: 100 });
    const players = await createPlayers(db, 1000);
    const outcomes = await Promise.all(
      players.map((playerId) => outcome(claimDrop(db, { dropId, playerId }))),
    );
    expect(count(outcomes, "claimed")).toBe(100);
    expect(count(outcomes, "sold_out")).toBe(900);
    expect(await available(dropId)).toBe(0);

    const rows = await db.select().from(redemptions).where(eq(redemptions.dropId, dropId));
    expect(rows).toHaveLength(100);
    expect(new Set(rows.map((r) => r.unitId)).size).toBe(100);
    expect(new Set(rows.map((r) => r.playerId)).size).toBe(100);
    const [ledger] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(ledgerEntries)
      .innerJoin(redemptions, eq(redemptions.id, ledgerEntries.redemptionId))
      .where(eq(redemptions.dropId, dropId));
    expect(ledger?.n).toBe(100);
    const audit = await db
      .select({ outcome: auditEvents.outcome, reason: auditEvents.reason })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "claim"), eq(auditEvents.subject, `drop:${dropId}`)));
    expect(
      count(
        audit.map((a) => a.outcome),
        "ok",
      ),
    ).toBe(100);
    expect(
      count(
        audit.map((a) => a.reason ?? ""),
        "sold_out",
      ),
    ).toBe(900);
  });

  it("records every attempt with its address, user agent and the API token it came with", async () => {
    const { dropId } = await createTestDrop(db, { units: 1 });
    const [first, second] = await createPlayers(db, 2);
    const { id: tokenId } = await issueApiToken(db, first as string);
    const context = { ip: "203.0.113.5", userAgent: "claim-test" };
    await claimDrop(db, { dropId, playerId: first as string, tokenId, ...context });
    await outcome(claimDrop(db, { dropId, playerId: second as string, ...context }));
    const audit = await db
      .select({
        actor: auditEvents.actorId,
        outcome: auditEvents.outcome,
        reason: auditEvents.reason,
        ip: auditEvents.ip,
        userAgent: auditEvents.userAgent,
        tokenId: auditEvents.tokenId,
      })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "claim"), eq(auditEvents.subject, `drop:${dropId}`)))
      .orderBy(auditEvents.id);
    expect(audit).toEqual([
      { actor: first, outcome: "ok", reason: null, ...context, tokenId },
      { actor: second, outcome: "refused", reason: "sold_out", ...context, tokenId: null },
    ]);
  });

  it("gives one unit to one player firing 50 concurrent claims", async () => {
    const { dropId } = await createTestDrop(db, { units: 10 });
    const playerId = await onePlayer();
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () => outcome(claimDrop(db, { dropId, playerId }))),
    );
    expect(count(outcomes, "claimed")).toBe(1);
    // Beyond the rate limit the refusal says so; within it, the per-player limit does.
    expect(count(outcomes, "limit_reached") + count(outcomes, "rate_limited")).toBe(49);
    expect(await available(dropId)).toBe(9);
  });

  it("holds a per-player limit above one under concurrency", async () => {
    const { dropId } = await createTestDrop(db, { units: 20, perPlayerLimit: 3 });
    const playerId = await onePlayer();
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => outcome(claimDrop(db, { dropId, playerId }))),
    );
    expect(count(outcomes, "claimed")).toBe(3);
    const refusal = await claimDrop(db, { dropId, playerId }).catch((e: AppError) => e);
    expect(refusal).toMatchObject({ code: "limit_reached" });
    expect((refusal as AppError).message).toMatch(/most units allowed per player \(3\)/);
    // "Already claimed" names the newest unit held, as the page links to it.
    const held = await findPlayerDropClaims(db, dropId, playerId);
    expect(held).toHaveLength(3);
    expect((refusal as AppError).details).toMatchObject({ redemptionId: held[0] });
  });

  it("refuses a player's claims beyond the rate limit with rate_limited", async () => {
    const { dropId } = await createTestDrop(db, { units: 50, perPlayerLimit: 50 });
    const playerId = await onePlayer();
    const limit = env().CLAIM_RATE_LIMIT;
    const outcomes: string[] = [];
    // Claims one after another: should they straddle two windows, one of them is still over.
    for (let i = 0; i <= 2 * limit; i++) {
      outcomes.push(await outcome(claimDrop(db, { dropId, playerId })));
    }
    const windows = await claimAnswersByWindow(db, dropId, RATE_WINDOW_SECONDS);
    for (const w of windows) {
      expect(w.claimed).toBe(Math.min(w.attempts, limit));
      expect(w.rateLimited).toBe(w.attempts - w.claimed);
    }
    expect(count(outcomes, "rate_limited")).toBeGreaterThan(0);
    const refusal = await claimDrop(db, { dropId, playerId }).catch((e: AppError) => e);
    if ((refusal as AppError).code === "rate_limited") {
      expect((refusal as AppError).details?.retryAfter).toBeGreaterThan(0);
    }
  });

  it("refuses drops that have not started, have ended, are paused or do not exist", async () => {
    const playerId = await onePlayer();
    const upcoming = await createTestDrop(db, { units: 5, startOffsetMs: 60_000 });
    const ended = await createTestDrop(db, {
      units: 5,
      startOffsetMs: -7_200_000,
      endOffsetMs: -1,
    });
    const paused = await createTestDrop(db, { units: 5 });
    await db.update(drops).set({ pausedAt: new Date() }).where(eq(drops.id, paused.dropId));
    const missing = "00000000-0000-4000-8000-000000000000";
    expect(await outcome(claimDrop(db, { dropId: upcoming.dropId, playerId }))).toBe("not_started");
    expect(await outcome(claimDrop(db, { dropId: ended.dropId, playerId }))).toBe("ended");
    expect(await outcome(claimDrop(db, { dropId: paused.dropId, playerId }))).toBe("paused");
    expect(await outcome(claimDrop(db, { dropId: missing, playerId }))).toBe("not_found");
    for (const drop of [upcoming, ended, paused]) expect(await available(drop.dropId)).toBe(5);
  });

  it("judges every eligibility rule before touching a unit", async () => {
    const { dropId } = await createTestDrop(db, {
      units: 10,
      eligibility: {
        verifiedEmail: true,
        minAccountAgeDays: 7,
        minTier: "silver",
        regions: ["DE", "FR"],
        notFlagged: true,
      },
    });
    const old = new Date(Date.now() - 30 * 86_400_000);
    const good = {
      emailVerifiedAt: old,
      createdAt: old,
      loyaltyTier: "silver" as const,
      region: "DE",
      flaggedAt: null,
    };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ emailVerifiedAt: null }, "not_eligible:verified_email"],
      [{ createdAt: new Date() }, "not_eligible:account_age"],
      [{ loyaltyTier: "bronze" }, "not_eligible:tier"],
      [{ region: "US" }, "not_eligible:region"],
      [{ region: null }, "not_eligible:profile_incomplete"],
      [{ flaggedAt: new Date() }, "not_eligible:flagged"],
      [{}, "claimed"],
    ];
    for (const [change, expected] of cases) {
      const playerId = await onePlayer({ ...good, ...change });
      expect(await outcome(claimDrop(db, { dropId, playerId }))).toBe(expected);
    }
    expect(await available(dropId)).toBe(9);
  });

  it("keeps a priority pool for the tiers it is reserved for", async () => {
    const { dropId, prizeId } = await createTestDrop(db, { units: 2 });
    // Re-shape the drop: 1 general unit and 1 unit reserved for gold.
    const [pool] = await db.select().from(dropPools).where(eq(dropPools.dropId, dropId));
    if (!pool) throw new Error("no pool");
    const [gold] = await db
      .insert(dropPools)
      .values({ dropId, prizeId, units: 1, minTier: "gold", position: 1 })
      .returning();
    const [unit] = await db.select().from(dropUnits).where(eq(dropUnits.dropId, dropId)).limit(1);
    if (!gold || !unit) throw new Error("no gold pool");
    await db.update(dropUnits).set({ poolId: gold.id }).where(eq(dropUnits.id, unit.id));

    const bronze = await createPlayers(db, 2);
    const goldPlayer = await onePlayer({ loyaltyTier: "gold" });
    expect(await outcome(claimDrop(db, { dropId, playerId: bronze[0] as string }))).toBe("claimed");
    expect(await outcome(claimDrop(db, { dropId, playerId: bronze[1] as string }))).toBe(
      "sold_out",
    );
    expect(await outcome(claimDrop(db, { dropId, playerId: goldPlayer }))).toBe("claimed");
  });

  it("answers the same Idempotency-Key with the first answer, and refuses it for another request", async () => {
    const { dropId } = await createTestDrop(db, { units: 5 });
    const playerId = await onePlayer();
    const hash = new Uint8Array([1, 2, 3]);
    const attempts = await Promise.all(
      Array.from({ length: 20 }, () =>
        claimDrop(db, { dropId, playerId, idempotencyKey: "k-1", requestHash: hash }),
      ),
    );
    const ids = new Set(attempts.map((a) => a.redemption.id));
    expect(ids.size).toBe(1);
    expect(new Set(attempts.map((a) => a.code)).size).toBe(1);
    expect(attempts.filter((a) => !a.replayed)).toHaveLength(1);
    const later = await claimDrop(db, {
      dropId,
      playerId,
      idempotencyKey: "k-1",
      requestHash: hash,
    });
    expect(later).toMatchObject({ replayed: true, code: attempts[0]?.code });
    expect(later.redemption.id).toBe(attempts[0]?.redemption.id);
    await expect(
      claimDrop(db, { dropId, playerId, idempotencyKey: "k-1", requestHash: new Uint8Array([9]) }),
    ).rejects.toMatchObject({ code: "idempotency_mismatch", status: 422 });
    // A refusal is an answer too: a new key is a new claim and is refused; its replay says the same.
    const refused = await outcome(
      claimDrop(db, { dropId, playerId, idempotencyKey: "k-2", requestHash: hash }),
    );
    expect(refused).toBe("limit_reached");
    expect(
      await outcome(claimDrop(db, { dropId, playerId, idempotencyKey: "k-2", requestHash: hash })),
    ).toBe("limit_reached");
    expect(await available(dropId)).toBe(4);
  });

  it("writes a canonical leaf that commits to the player with the stored salt", async () => {
    const { dropId, prizeId } = await createTestDrop(db, { units: 1 });
    const playerId = await onePlayer();
    const claim = await claimDrop(db, { dropId, playerId });
    const [row] = await db
      .select({ data: ledgerEntries.leafData, salt: redemptions.playerSalt })
      .from(ledgerEntries)
      .innerJoin(redemptions, eq(redemptions.id, ledgerEntries.redemptionId))
      .where(eq(redemptions.id, claim.redemption.id));
    if (!row) throw new Error("no ledger entry");
    const leaf = decodeRedemptionLeaf(row.data);
    expect(leaf).toMatchObject({
      kind: "redemption",
      entryId: claim.redemption.id,
      prizeId,
      dropId,
    });
    expect(leaf.valueCents).toBe(2500);
    expect(leaf.playerCommitment).toEqual(playerCommitment(playerId, row.salt));
    expect(claim.code).toMatch(/^[2-9A-Z]{4}(-[2-9A-Z]{4}){3}$/);
  });
});
