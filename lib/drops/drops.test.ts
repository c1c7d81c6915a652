import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, dropUnits, users } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { importGiftCodes } from "@/lib/codes/import-codes";
import { enterLottery, runDueDraws } from "@/lib/lottery/lottery";
import { createPrizeSchema } from "@/lib/prizes/model";
import { createPrize, updatePrize } from "@/lib/prizes/prizes";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { createDrop, dropCodeCoverage, getDrop, updateDrop } from "./drops";
import { createDropSchema, updateDropSchema } from "./model";

const db = connectTestDb(4);

async function admin(): Promise<{ actorId: string }> {
  const [row] = await db
    .insert(users)
    .values({
      email: `admin-${crypto.randomUUID()}@test.invalid`,
      passwordHash: "x",
      displayName: "Admin",
      role: "admin",
    })
    .returning({ id: users.id });
  if (!row) throw new Error("no admin");
  return { actorId: row.id };
}

async function prize(quantity: number): Promise<string> {
  const { id } = await createPrize(
    db,
    createPrizeSchema.parse({ name: `P${quantity}`, kind: "physical", value: 5, quantity }),
  );
  return id;
}

async function changes(dropId: string) {
  return db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.subject, `drop:${dropId}`))
    .orderBy(auditEvents.id);
}

const later = (hours: number) => new Date(Date.now() + hours * 3_600_000);

describe("drops", () => {
  it("creates a drop with several pools, one reserved for a tier, audited", async () => {
    const actor = await admin();
    const [a, b] = [await prize(10), await prize(10)];
    const { id } = await createDrop(
      db,
      createDropSchema.parse({
        title: "Two pools",
        description: "Early birds",
        pools: [
          { prizeId: a, units: 3 },
          { prizeId: b, units: 2, minTier: "gold" },
        ],
        startsAt: later(1),
        endsAt: later(2),
      }),
      actor,
    );
    const drop = await getDrop(db, id);
    expect(drop).toMatchObject({ units: 5, remaining: 5, description: "Early birds" });
    expect(drop?.pools.map((p) => [p.prize.id, p.units, p.minTier])).toEqual([
      [a, 3, "bronze"],
      [b, 2, "gold"],
    ]);
    const [created] = await changes(id);
    expect(created).toMatchObject({ action: "drop_create", actorId: actor.actorId });
    expect(created?.data).toMatchObject({ before: null, after: { title: "Two pools" } });
  });

  it("edits everything before the start, rebuilding the pools from the prizes' stock", async () => {
    const actor = await admin();
    const [a, b] = [await prize(5), await prize(5)];
    const { id } = await createDrop(
      db,
      createDropSchema.parse({
        title: "Draft",
        prizeId: a,
        units: 5,
        startsAt: later(1),
        endsAt: later(2),
      }),
    );
    // The drop's own units count as free for its new pools.
    const edited = await updateDrop(
      db,
      id,
      updateDropSchema.parse({
        title: "Edited",
        pools: [
          { prizeId: a, units: 4 },
          { prizeId: b, units: 5, minTier: "silver" },
        ],
        perPlayerLimit: 2,
        allocation: "lottery",
        eligibility: { verifiedEmail: true },
        endsAt: later(3).toISOString(),
      }),
      actor,
    );
    expect(edited).toMatchObject({ title: "Edited", units: 9, remaining: 9, perPlayerLimit: 2 });
    expect(edited.allocation).toBe("lottery");
    expect(await db.select().from(dropUnits).where(eq(dropUnits.dropId, id))).toHaveLength(9);
    const [event] = await changes(id);
    expect(event?.action).toBe("drop_update");
    expect(event?.data).toMatchObject({
      before: { title: "Draft", pools: [{ prizeId: a, units: 5 }], allocation: "first_come" },
      after: { title: "Edited", perPlayerLimit: 2, allocation: "lottery" },
    });
    await expect(
      updateDrop(db, id, { pools: [{ prizeId: b, units: 6, minTier: "bronze" }] }, actor),
    ).rejects.toMatchObject({ code: "invalid_input", details: { field: "units" } });
  });

  it("a draft keeps a prize retired since, but takes in no other retired prize", async () => {
    const actor = await admin();
    const [kept, other] = [await prize(5), await prize(5)];
    const { id } = await createDrop(
      db,
      createDropSchema.parse({
        title: "Draft",
        prizeId: kept,
        units: 2,
        startsAt: later(1),
        endsAt: later(2),
      }),
    );
    await updatePrize(db, kept, { retired: true }, actor);
    await updatePrize(db, other, { retired: true }, actor);
    const edited = await updateDrop(
      db,
      id,
      { pools: [{ prizeId: kept, units: 3, minTier: "bronze" }] },
      actor,
    );
    expect(edited.units).toBe(3);
    await expect(
      updateDrop(
        db,
        id,
        {
          pools: [
            { prizeId: kept, units: 3, minTier: "bronze" },
            { prizeId: other, units: 1, minTier: "bronze" },
          ],
        },
        actor,
      ),
    ).rejects.toMatchObject({ code: "invalid_input", details: { field: "prizeId" } });
    expect((await getDrop(db, id))?.units).toBe(3);
  });

  it("refuses edits once started except moving the end later, pausing and ending", async () => {
    const actor = await admin();
    const { dropId } = await createTestDrop(db, { units: 2 });
    await expect(updateDrop(db, dropId, { title: "Late" }, actor)).rejects.toMatchObject({
      code: "drop_started",
      details: { fields: ["title"] },
    });
    const before = await getDrop(db, dropId);
    const moved = await updateDrop(db, dropId, { endsAt: later(5) }, actor);
    expect(moved.endsAt > (before?.endsAt ?? "")).toBe(true);
    await expect(updateDrop(db, dropId, { endsAt: later(2) }, actor)).rejects.toMatchObject({
      code: "invalid_input",
      details: { field: "endsAt" },
    });
    expect((await updateDrop(db, dropId, { paused: true }, actor)).status).toBe("paused");
    expect((await updateDrop(db, dropId, { paused: false }, actor)).status).toBe("live");
    expect((await changes(dropId)).map((e) => e.action)).toEqual([
      "drop_update",
      "drop_pause",
      "drop_resume",
    ]);
  });

  it("ending early stops claims: a claim after it is refused with `ended`", async () => {
    const actor = await admin();
    const { dropId } = await createTestDrop(db, { units: 5 });
    const [alice, bob] = await createPlayers(db, 2);
    await claimDrop(db, { dropId, playerId: alice as string });
    const ended = await updateDrop(db, dropId, { end: true }, actor);
    expect(ended.status).toBe("ended");
    expect(ended.endedEarlyAt).not.toBeNull();
    await expect(claimDrop(db, { dropId, playerId: bob as string })).rejects.toMatchObject({
      code: "ended",
    });
    const [event] = (await changes(dropId)).filter((e) => e.action === "drop_end");
    expect(event?.data).toMatchObject({
      before: { endedEarlyAt: null },
      after: { endedEarlyAt: expect.any(String) },
    });
    await expect(updateDrop(db, dropId, { endsAt: later(9) }, actor)).rejects.toMatchObject({
      code: "ended",
    });
  });

  it("a lottery ended early, even while paused, is drawn from the entries made so far", async () => {
    const actor = await admin();
    const { dropId } = await createTestDrop(db, { units: 1, allocation: "lottery" });
    const players = await createPlayers(db, 2);
    for (const playerId of players) await enterLottery(db, { dropId, playerId });
    await updateDrop(db, dropId, { paused: true }, actor);
    const ended = await updateDrop(db, dropId, { end: true }, actor);
    expect(ended.status).toBe("ended");
    const draws = await runDueDraws(db);
    expect(draws.find((d) => d.dropId === dropId)).toMatchObject({ entries: 2, winners: 1 });
  });

  it("an upcoming drop cannot be ended, only rescheduled", async () => {
    const actor = await admin();
    const { dropId } = await createTestDrop(db, {
      units: 1,
      startOffsetMs: 3_600_000,
      endOffsetMs: 7_200_000,
    });
    await expect(updateDrop(db, dropId, { end: true }, actor)).rejects.toMatchObject({
      code: "not_started",
    });
    await expect(updateDrop(db, dropId, { startsAt: later(10) }, actor)).rejects.toMatchObject({
      code: "invalid_input",
      details: { field: "endsAt" },
    });
  });
});

describe("gift-card drops never promise more units than codes", () => {
  /** A gift card with a stock of 20 and `codes` codes imported into its pool. */
  async function giftCard(codes: number): Promise<string> {
    const { id } = await createPrize(
      db,
      createPrizeSchema.parse({ name: "Card", kind: "gift_card", value: 5, quantity: 20 }),
    );
    const lines = Array.from({ length: codes }, () => `GIFT-${randomBytes(6).toString("hex")}`);
    await importGiftCodes(db, id, ["code", ...lines].join("\n"));
    return id;
  }

  const dropOf = (prizeId: string, units: number, hours: [number, number] = [1, 2]) =>
    createDropSchema.parse({
      title: "Cards",
      prizeId,
      units,
      startsAt: later(hours[0]),
      endsAt: later(hours[1]),
    });

  it("refuses more units than codes, counting codes other open drops promised", async () => {
    const card = await giftCard(4);
    await expect(createDrop(db, dropOf(card, 5))).rejects.toMatchObject({
      code: "invalid_input",
      message: expect.stringMatching(/^Only 4 codes of “Card” can go to this drop/),
      details: { field: "units" },
    });
    const { id } = await createDrop(db, dropOf(card, 3));
    expect(await dropCodeCoverage(db, id)).toEqual([
      { prizeId: card, name: "Card", codesUnused: 4, promisedElsewhere: 0, units: 3, available: 3 },
    ]);
    await expect(createDrop(db, dropOf(card, 2))).rejects.toMatchObject({
      message: expect.stringMatching(/^Only 1 code of “Card”.*3 promised to other drops/),
    });
    await createDrop(db, dropOf(card, 1));
  });

  it("two drops made at once on one pool cannot both take the same codes", async () => {
    const card = await giftCard(4);
    const results = await Promise.allSettled([
      createDrop(db, dropOf(card, 3)),
      createDrop(db, dropOf(card, 3)),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
  });

  it("a raise before the start is refused beside the pool's units; an ended drop frees its codes", async () => {
    const actor = await admin();
    const card = await giftCard(2);
    await createDrop(db, dropOf(card, 2, [-3, -2]));
    const { id } = await createDrop(db, dropOf(card, 1));
    await expect(
      updateDrop(db, id, { pools: [{ prizeId: card, units: 3, minTier: "bronze" }] }, actor),
    ).rejects.toMatchObject({ code: "invalid_input", details: { field: "pools.0.units" } });
    const raised = await updateDrop(
      db,
      id,
      { pools: [{ prizeId: card, units: 2, minTier: "bronze" }] },
      actor,
    );
    expect(raised.units).toBe(2);
  });

  it("a pool that shrinks below the drop's units shows only what it can still give", async () => {
    const card = await giftCard(2);
    const { id } = await createDrop(db, dropOf(card, 2, [-1, 1]));
    const quarantine = (n: number) =>
      db.execute(sql`update gift_codes set quarantined_at = now() where id in
        (select id from gift_codes where prize_id = ${card} and quarantined_at is null limit ${n})`);
    await quarantine(1);
    expect(await getDrop(db, id)).toMatchObject({ units: 2, remaining: 1, status: "live" });
    await quarantine(1);
    expect(await getDrop(db, id)).toMatchObject({ remaining: 0, status: "sold_out" });
  });
});
