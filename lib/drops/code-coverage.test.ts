import { describe, expect, it } from "vitest";
import { prizes } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { importGiftCodes } from "@/lib/codes/import-codes";
import { createDrop, dropCodeCoverage } from "@/lib/drops/drops";
import { createDropSchema } from "@/lib/drops/model";
import { connectTestDb, createPlayers } from "@/test/db";

const db = connectTestDb(5);

async function giftCard(name: string, delivery: "pool" | "giftcard" = "pool"): Promise<string> {
  const [prize] = await db
    .insert(prizes)
    .values({ name, kind: "gift_card", valueCents: 2500, quantity: 20, deliveryProvider: delivery })
    .returning({ id: prizes.id });
  return prize?.id as string;
}

/** A CSV of `n` distinct codes, enough for the units drawn on them. */
const codes = (prefix: string, n: number) =>
  ["code", ...Array.from({ length: n }, (_, i) => `${prefix}-${1000 + i}`)].join("\n");

async function drop(prizeId: string, units: number, endOffsetMs = 3_600_000): Promise<string> {
  const now = Date.now();
  const { id } = await createDrop(
    db,
    createDropSchema.parse({
      title: "Codes drop",
      prizeId,
      units,
      startsAt: new Date(now - 60_000),
      endsAt: new Date(now + endOffsetMs),
    }),
  );
  return id;
}

describe("a drop's gift codes against its units", () => {
  it("counts the pool's unused codes against this drop's and other open drops' units", async () => {
    const card = await giftCard("Pool card");
    await importGiftCodes(db, card, codes("DC", 6));
    const here = await drop(card, 3);
    const other = await drop(card, 2);
    expect(await dropCodeCoverage(db, here)).toEqual([
      {
        prizeId: card,
        name: "Pool card",
        codesUnused: 6,
        promisedElsewhere: 2,
        units: 3,
        available: 3,
      },
    ]);

    // A claim in the other drop takes a code and a unit there.
    const [player] = await createPlayers(db, 1);
    await claimDrop(db, { dropId: other, playerId: player as string });
    expect(await dropCodeCoverage(db, here)).toMatchObject([
      { codesUnused: 5, available: 3, promisedElsewhere: 1 },
    ]);
  });

  it("leaves out ended drops, and prizes that take no codes from a pool", async () => {
    const card = await giftCard("Ended card");
    const provider = await giftCard("Provider card", "giftcard");
    await importGiftCodes(db, card, codes("EC", 7));
    const here = await drop(card, 2);
    await drop(card, 5, -1_000);
    expect(await dropCodeCoverage(db, here)).toMatchObject([
      { codesUnused: 7, available: 2, promisedElsewhere: 0 },
    ]);
    expect(await dropCodeCoverage(db, await drop(provider, 1))).toEqual([]);
  });
});
