import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, dropUnits, users } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { enterLottery, runDueDraws } from "@/lib/lottery/lottery";
import { createPrizeSchema } from "@/lib/prizes/model";
import { createPrize, updatePrize } from "@/lib/prizes/prizes";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { createDrop, getDrop, updateDrop } from "./drops";
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
