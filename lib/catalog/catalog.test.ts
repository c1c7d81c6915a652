import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, prizes } from "@/db/schema";
import { importGiftCodes } from "@/lib/codes/import-codes";
import { isAppError } from "@/lib/errors/app-error";
import { connectTestDb, createPlayers } from "@/test/db";
import { grantTestCoins } from "@/test/wallet";
import { createCatalogItem, listCatalogItems, updateCatalogItem } from "./catalog";
import { declareIdentity, getIdentity, getRedemptionReadiness } from "./identity";
import { identitySchema, isAdultOn } from "./model";

const db = connectTestDb(4);

describe("catalog items", () => {
  it("are created, repriced, retired and put back, each change audited", async () => {
    const [admin] = (await createPlayers(db, 1, { role: "admin" })) as [string];
    const [prize] = await db
      .insert(prizes)
      .values({ name: "Catalog card", kind: "crypto", valueCents: 1000, quantity: 5 })
      .returning({ id: prizes.id });
    if (!prize) throw new Error("no prize");
    const actor = { actorId: admin };
    const { id } = await createCatalogItem(
      db,
      { prizeId: prize.id, price: 5_000, stock: 3, position: 0, instantWin: false },
      actor,
    );
    expect((await listCatalogItems(db)).find((i) => i.id === id)).toMatchObject({
      price: "50.00",
      stock: 3,
      retiredAt: null,
    });
    await updateCatalogItem(db, id, { price: 7_550, stock: 9, instantWin: true }, actor);
    await updateCatalogItem(db, id, { retired: true }, actor);
    expect((await listCatalogItems(db)).some((i) => i.id === id)).toBe(false);
    expect(
      (await listCatalogItems(db, { includeRetired: true })).find((i) => i.id === id),
      // Retiring an item takes its instant-win flag off: a retired item is offered to nobody.
    ).toMatchObject({ price: "75.50", stock: 9, instantWin: false });
    await updateCatalogItem(db, id, { retired: false }, actor);
    const events = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.subject, `catalog_item:${id}`))
      .orderBy(auditEvents.id);
    expect(events.map((e) => e.action)).toEqual([
      "catalog_item_create",
      "catalog_item_update",
      "catalog_item_retire",
      "catalog_item_unretire",
    ]);
    await expect(
      createCatalogItem(
        db,
        { prizeId: crypto.randomUUID(), price: 1, stock: 1, position: 0, instantWin: false },
        actor,
      ),
    ).rejects.toSatisfy((e) => isAppError(e) && e.code === "invalid_input");
    await expect(updateCatalogItem(db, "nope", { stock: 1 }, actor)).rejects.toSatisfy(
      (e) => isAppError(e) && e.code === "not_found",
    );
  });
});

describe("the instant-win flag", () => {
  it("is refused, with a clear error, on an item no prize tier could award", async () => {
    const [admin] = (await createPlayers(db, 1, { role: "admin" })) as [string];
    const actor = { actorId: admin };
    const newPrize = async (kind: "crypto" | "gift_card") => {
      const [prize] = await db
        .insert(prizes)
        .values({ name: `Flag ${kind}`, kind, valueCents: 1000, quantity: 5 })
        .returning({ id: prizes.id });
      if (!prize) throw new Error("no prize");
      return prize.id;
    };
    const refusal = (work: Promise<unknown>) =>
      work.then(
        () => "went through",
        (e: unknown) => (isAppError(e) ? `${e.code}:${e.details?.field}: ${e.message}` : e),
      );
    const token = await newPrize("crypto");
    const item = { prizeId: token, price: 5_000, position: 0, instantWin: true };

    expect(await refusal(createCatalogItem(db, { ...item, stock: 0 }, actor))).toBe(
      "invalid_input:instantWin: An item with no stock cannot be the instant-win prize: add stock",
    );
    const gift = await newPrize("gift_card");
    expect(await refusal(createCatalogItem(db, { ...item, prizeId: gift, stock: 3 }, actor))).toBe(
      "invalid_input:instantWin: This gift card has no codes left to give: import codes before making it an instant win",
    );
    await importGiftCodes(db, gift, "code\nFLAG-GIFT-1\n");
    await createCatalogItem(db, { ...item, prizeId: gift, stock: 3 }, actor);
    // A gift card from the provider is ordered at delivery: it needs no codes.
    const provided = await newPrize("gift_card");
    await db
      .update(prizes)
      .set({ deliveryProvider: "giftcard", providerProduct: "amazon-us" })
      .where(eq(prizes.id, provided));
    expect(
      await refusal(createCatalogItem(db, { ...item, prizeId: provided, stock: 3 }, actor)),
    ).toBe("went through");

    const { id } = await createCatalogItem(db, { ...item, stock: 0, instantWin: false }, actor);
    expect(await refusal(updateCatalogItem(db, id, { instantWin: true }, actor))).toMatch(
      /^invalid_input:instantWin: An item with no stock/,
    );
    // Stock given in the same change makes it awardable.
    await updateCatalogItem(db, id, { stock: 2, instantWin: true }, actor);
    // An offered item that runs out stays offered: saving it again is not refused.
    await updateCatalogItem(db, id, { stock: 0, instantWin: true }, actor);
    await updateCatalogItem(db, id, { retired: true }, actor);
    expect(await refusal(updateCatalogItem(db, id, { stock: 4, instantWin: true }, actor))).toBe(
      "invalid_input:instantWin: A retired item cannot be the instant-win prize",
    );
    expect(
      await refusal(
        updateCatalogItem(db, id, { retired: false, stock: 4, instantWin: true }, actor),
      ),
    ).toBe("went through");
  });
});

describe("a player's readiness to redeem", () => {
  it("says whether the identity is declared and the email verified, and what is redeemable", async () => {
    const [fresh, ready] = (await Promise.all([
      createPlayers(db, 1, { emailVerifiedAt: null }),
      createPlayers(db, 1, { identityDeclaredAt: new Date() }),
    ]).then((ids) => ids.flat())) as [string, string];
    await grantTestCoins(db, ready, "SC", 10_000, 2_500);
    expect(await getRedemptionReadiness(db, fresh)).toEqual({
      identityDeclared: false,
      emailVerified: false,
      sc: 0,
      redeemableSc: 0,
      playthroughDue: 0,
    });
    expect(await getRedemptionReadiness(db, ready)).toEqual({
      identityDeclared: true,
      emailVerified: true,
      sc: 10_000,
      redeemableSc: 7_500,
      playthroughDue: 2_500,
    });
  });
});

describe("identity", () => {
  const input = {
    legalName: "Ada Lovelace",
    birthDate: "2008-12-05",
    postalAddress: { line1: "1 Main St", city: "London", postalCode: "N1", country: "gb" },
  };

  it("is declared by a player of 18 or more, and audited with what it replaced", async () => {
    const [player] = (await createPlayers(db, 1)) as [string];
    const parsed = identitySchema.parse(input);
    const dayBefore = new Date("2026-12-04T23:59:59Z");
    await expect(declareIdentity(db, parsed, { userId: player }, dayBefore)).rejects.toSatisfy(
      (e) => isAppError(e) && e.code === "invalid_input",
    );
    const view = await declareIdentity(
      db,
      parsed,
      { userId: player },
      new Date("2026-12-05T00:00:00Z"),
    );
    expect(view).toMatchObject({
      legalName: "Ada Lovelace",
      birthDate: "2008-12-05",
      postalAddress: { country: "GB", line2: "", region: "" },
      declaredAt: "2026-12-05T00:00:00.000Z",
    });
    expect(await getIdentity(db, player)).toEqual(view);
    const [event] = await db.select().from(auditEvents).where(eq(auditEvents.actorId, player));
    expect(event?.action).toBe("identity_declare");
  });

  it("refuses dates that do not exist and malformed addresses", () => {
    for (const birthDate of ["2001-02-29", "1990-13-01", "1990-1-1", "yesterday"]) {
      expect(identitySchema.safeParse({ ...input, birthDate }).success).toBe(false);
    }
    expect(
      identitySchema.safeParse({
        ...input,
        postalAddress: { ...input.postalAddress, country: "GBR" },
      }).success,
    ).toBe(false);
    expect(isAdultOn("2000-02-29", new Date("2018-02-28T12:00:00Z"))).toBe(false);
    expect(isAdultOn("2000-02-29", new Date("2018-03-01T00:00:00Z"))).toBe(true);
  });
});
