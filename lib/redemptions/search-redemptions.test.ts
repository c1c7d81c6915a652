import { eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { redemptions, users } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { redemptionSearchSchema } from "./model";
import { reverseRedemption } from "./reverse-redemption";
import { getAdminRedemption, searchRedemptions } from "./search-redemptions";

const db = connectTestDb();

let a: { dropId: string; prizeId: string };
let b: { dropId: string; prizeId: string };
let players: string[];
let adminId: string;
/** Redemption ids of drop a, in claim order. */
const inA: string[] = [];
const inB: string[] = [];

const search = (query: Record<string, string>) =>
  searchRedemptions(db, redemptionSearchSchema.parse({ ...query }));

beforeAll(async () => {
  a = await createTestDrop(db, { units: 7 });
  b = await createTestDrop(db, { units: 3 });
  players = await createPlayers(db, 7);
  [adminId = ""] = await createPlayers(db, 1, { role: "admin" });
  for (const playerId of players) {
    inA.push((await claimDrop(db, { dropId: a.dropId, playerId })).redemption.id);
  }
  for (const playerId of players.slice(0, 3)) {
    inB.push((await claimDrop(db, { dropId: b.dropId, playerId })).redemption.id);
  }
  // Spread the claims over distinct days, oldest first, so time filters have something to cut.
  const all = [...inA, ...inB];
  for (const [i, id] of all.entries()) {
    await db
      .update(redemptions)
      .set({ createdAt: new Date(Date.UTC(2030, 0, 1 + i)) })
      .where(eq(redemptions.id, id));
  }
  await reverseRedemption(db, { redemptionId: inA[1] as string, adminId, reason: "test" });
});

describe("searchRedemptions", () => {
  it("filters by drop, prize, status and player (id or email, any case)", async () => {
    expect((await search({ dropId: a.dropId })).redemptions.map((r) => r.id)).toEqual(
      [...inA].reverse(),
    );
    expect((await search({ prizeId: b.prizeId })).redemptions.map((r) => r.id)).toEqual(
      [...inB].reverse(),
    );
    const reversed = await search({ status: "reversed", dropId: a.dropId });
    expect(reversed.redemptions.map((r) => r.id)).toEqual([inA[1]]);
    expect(reversed.redemptions[0]?.status).toBe("reversed");

    const [player] = await db
      .select({ email: users.email })
      .from(users)
      .where(inArray(users.id, [players[0] as string]));
    const byEmail = await search({ player: (player?.email ?? "").toUpperCase() });
    expect(byEmail.redemptions.map((r) => r.id)).toEqual([inB[0], inA[0]]);
    expect(byEmail.redemptions[0]).toMatchObject({
      player: { id: players[0], email: player?.email },
      drop: { id: b.dropId, title: "Test drop" },
      prize: { id: b.prizeId, kind: "crypto" },
      anchoring: { status: "pending" },
    });
    expect((await search({ player: players[0] as string })).redemptions).toHaveLength(2);
    expect((await search({ player: "nobody@test.invalid" })).redemptions).toEqual([]);
  });

  it("filters by time range: from inclusive, to exclusive", async () => {
    const found = await search({
      dropId: a.dropId,
      from: "2030-01-02T00:00:00Z",
      to: "2030-01-04T00:00:00Z",
    });
    expect(found.redemptions.map((r) => r.id)).toEqual([inA[2], inA[1]]);
  });

  it("pages newest first with a keyset cursor, each redemption exactly once", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof search>> = await search({
        dropId: a.dropId,
        limit: "3",
        ...(after ? { after } : {}),
      });
      seen.push(...page.redemptions.map((r) => r.id));
      after = page.nextAfter;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual([...inA].reverse());
  });

  it("pages through everything when no filter is given, across statuses", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof search>> = await search({
        limit: "4",
        ...(after ? { after } : {}),
      });
      seen.push(...page.redemptions.map((r) => r.id));
      after = page.nextAfter;
    } while (after);
    expect(seen).toEqual([...inA, ...inB].reverse());
  });

  it("refuses malformed filters", () => {
    for (const bad of [
      { status: "lost" },
      { dropId: "not-a-uuid" },
      { from: "yesterday" },
      { after: "1" },
      { limit: "0" },
      { player: "a\u0000b" },
    ]) {
      expect(redemptionSearchSchema.safeParse(bad).success).toBe(false);
    }
  });

  it("shows one redemption with its ledger entries and the reversal in its audit trail", async () => {
    const detail = await getAdminRedemption(db, inA[1] as string);
    expect(detail).toMatchObject({
      status: "reversed",
      reversal: { reason: "test", by: { id: adminId } },
    });
    expect(detail?.ledger.map((e) => e.kind)).toEqual(["redemption", "reversal"]);
    expect(detail?.audit.map((e) => e.action)).toEqual(["redemption_reverse"]);
    expect(await getAdminRedemption(db, "nope")).toBeUndefined();
  });
});
