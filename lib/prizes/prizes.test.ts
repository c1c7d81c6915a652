import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, users } from "@/db/schema";
import { importGiftCodes } from "@/lib/codes/import-codes";
import { createDrop } from "@/lib/drops/drops";
import { createDropSchema } from "@/lib/drops/model";
import { connectTestDb, createTestDrop } from "@/test/db";
import { createPrizeSchema, updatePrizeSchema } from "./model";
import { createPrize, getPrizeView, updatePrize } from "./prizes";

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

async function lastChange(subject: string) {
  const rows = await db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.subject, subject))
    .orderBy(auditEvents.id);
  return rows.at(-1);
}

function dropOf(prizeId: string, units: number) {
  return createDropSchema.parse({
    title: "Drop",
    prizeId,
    units,
    startsAt: new Date(Date.now() + 3_600_000),
    endsAt: new Date(Date.now() + 7_200_000),
  });
}

describe("prizes", () => {
  it("stores a crypto prize's token amount exactly and shows it without padding", async () => {
    const actor = await admin();
    const input = createPrizeSchema.parse({
      name: "Token",
      kind: "crypto",
      value: 10,
      quantity: 5,
      tokenAmount: "12.500000000000000001",
      tokenSymbol: "usdc",
    });
    const { id } = await createPrize(db, input, actor);
    const view = await getPrizeView(db, id);
    expect(view).toMatchObject({ tokenAmount: "12.500000000000000001", tokenSymbol: "USDC" });
    const event = await lastChange(`prize:${id}`);
    expect(event).toMatchObject({ action: "prize_create", actorId: actor.actorId });
    expect(event?.data).toMatchObject({ before: null, after: { tokenSymbol: "USDC" } });
  });

  it("refuses a token amount without its symbol, and token fields on other kinds", () => {
    const base = { name: "T", value: 1, quantity: 1 };
    expect(createPrizeSchema.safeParse({ ...base, kind: "crypto", tokenAmount: "1" }).success).toBe(
      false,
    );
    expect(
      createPrizeSchema.safeParse({
        ...base,
        kind: "physical",
        tokenAmount: "1",
        tokenSymbol: "ETH",
      }).success,
    ).toBe(false);
    // Existing API clients create crypto prizes without a token: still accepted.
    expect(createPrizeSchema.safeParse({ ...base, kind: "crypto" }).success).toBe(true);
  });

  it("makes a gift card from the provider, with its product and no code pool, audited", async () => {
    const actor = await admin();
    const input = createPrizeSchema.parse({
      name: "Provider card",
      kind: "gift_card",
      value: 25,
      quantity: 10,
      delivery: "giftcard",
      providerProduct: "starbucks-us",
    });
    const { id } = await createPrize(db, input, actor);
    expect(await getPrizeView(db, id)).toMatchObject({
      delivery: "giftcard",
      providerProduct: "starbucks-us",
      codesTotal: null,
      codesUnused: null,
    });
    expect((await lastChange(`prize:${id}`))?.data).toMatchObject({
      after: { delivery: "giftcard", providerProduct: "starbucks-us" },
    });
    await expect(importGiftCodes(db, id, "code\nNOPE-1\n")).rejects.toMatchObject({
      code: "invalid_input",
      message: "This gift card is delivered by the gift-card provider: it takes no imported codes",
    });
    // Back to the pool: the product goes, the pool shows, codes may come in.
    const pool = await updatePrize(db, id, updatePrizeSchema.parse({ delivery: "pool" }), actor);
    expect(pool).toMatchObject({ delivery: "pool", providerProduct: null, codesTotal: 0 });
    expect(await importGiftCodes(db, id, "code\nPOOL-1\n")).toMatchObject({ accepted: 1 });
    // A plain gift card is from the pool, as before.
    const plain = await createPrize(
      db,
      createPrizeSchema.parse({ name: "Plain", kind: "gift_card", value: 5, quantity: 1 }),
      actor,
    );
    expect(await getPrizeView(db, plain.id)).toMatchObject({ delivery: "pool", codesTotal: 0 });
  });

  it("refuses a provider card without a product, a value its product does not take, or another kind", async () => {
    const actor = await admin();
    const base = { name: "C", kind: "gift_card", value: 25, quantity: 1 };
    const issues = (input: unknown) =>
      createPrizeSchema.safeParse(input).error?.issues.map((i) => `${i.path}: ${i.message}`);
    expect(issues({ ...base, delivery: "giftcard" })).toEqual([
      "providerProduct: Choose the product the provider sends",
    ]);
    expect(issues({ ...base, delivery: "giftcard", providerProduct: "ebay-us" })).toEqual([
      "providerProduct: Choose one of the provider's products",
    ]);
    expect(issues({ ...base, delivery: "pool", providerProduct: "amazon-us" })).toEqual([
      "providerProduct: Only a gift card from the provider has a product",
    ]);
    expect(issues({ ...base, kind: "physical", delivery: "giftcard" })).toEqual([
      "delivery: Only gift cards choose how they are delivered",
    ]);
    const tooBig = createPrizeSchema.parse({
      ...base,
      value: 600,
      delivery: "giftcard",
      providerProduct: "visa-prepaid-us",
    });
    await expect(createPrize(db, tooBig, actor)).rejects.toMatchObject({
      code: "invalid_input",
      message: "Visa Prepaid cards are worth $10.00 to $500.00",
      details: { field: "providerProduct" },
    });
    const { id } = await createPrize(
      db,
      createPrizeSchema.parse({ ...base, delivery: "giftcard", providerProduct: "target-us" }),
      actor,
    );
    await expect(
      updatePrize(db, id, updatePrizeSchema.parse({ value: 2 }), actor),
    ).rejects.toMatchObject({ message: "Target cards are worth $5.00 to $1000.00" });
    const { prizeId } = await createTestDrop(db, { units: 1 });
    await expect(
      updatePrize(
        db,
        prizeId,
        updatePrizeSchema.parse({ delivery: "giftcard", providerProduct: "amazon-us" }),
        actor,
      ),
    ).rejects.toMatchObject({ message: "Only gift cards choose how they are delivered" });
  });

  it("edits a prize with the audit record holding before and after", async () => {
    const actor = await admin();
    const { prizeId } = await createTestDrop(db, { units: 3 });
    const view = await updatePrize(
      db,
      prizeId,
      updatePrizeSchema.parse({ name: "Renamed", value: "12.34", description: "Shiny" }),
      actor,
    );
    expect(view).toMatchObject({ name: "Renamed", valueCents: 1234, description: "Shiny" });
    const event = await lastChange(`prize:${prizeId}`);
    expect(event?.action).toBe("prize_update");
    expect(event?.data).toMatchObject({
      before: { name: "Test prize", valueCents: 2500, description: null },
      after: { name: "Renamed", valueCents: 1234, description: "Shiny" },
    });
  });

  it("lets the quantity go down, but never below the units drops already hold", async () => {
    const actor = await admin();
    const { id } = await createPrize(
      db,
      createPrizeSchema.parse({ name: "Stock", kind: "physical", value: 1, quantity: 10 }),
    );
    await createDrop(db, dropOf(id, 4));
    await expect(updatePrize(db, id, { quantity: 3 }, actor)).rejects.toMatchObject({
      code: "invalid_input",
      details: { field: "quantity", allocated: 4 },
    });
    expect((await updatePrize(db, id, { quantity: 4 }, actor)).quantity).toBe(4);
    expect((await updatePrize(db, id, { quantity: 40 }, actor)).quantity).toBe(40);
  });

  it("a retired prize goes into no new drop until it is brought back", async () => {
    const actor = await admin();
    const { id } = await createPrize(
      db,
      createPrizeSchema.parse({ name: "Old", kind: "physical", value: 1, quantity: 10 }),
    );
    const retired = await updatePrize(db, id, { retired: true }, actor);
    expect(retired.retiredAt).not.toBeNull();
    expect((await lastChange(`prize:${id}`))?.action).toBe("prize_retire");
    await expect(createDrop(db, dropOf(id, 1))).rejects.toMatchObject({
      code: "invalid_input",
      details: { field: "prizeId" },
    });
    await updatePrize(db, id, { retired: false }, actor);
    const event = await lastChange(`prize:${id}`);
    expect(event?.action).toBe("prize_unretire");
    expect(event?.data).toMatchObject({ after: { retiredAt: null } });
    await expect(createDrop(db, dropOf(id, 1))).resolves.toHaveProperty("id");
  });

  it("refuses token fields on a prize that is not crypto, and unknown prizes", async () => {
    const actor = await admin();
    const { prizeId } = await createTestDrop(db, { units: 1, kind: "physical" });
    await expect(
      updatePrize(db, prizeId, { tokenAmount: "1", tokenSymbol: "ETH" }, actor),
    ).rejects.toMatchObject({ code: "invalid_input" });
    await expect(updatePrize(db, crypto.randomUUID(), { name: "x" }, actor)).rejects.toMatchObject({
      code: "not_found",
    });
    expect(
      await db
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.subject, `prize:${prizeId}`)),
    ).toHaveLength(0);
  });
});
