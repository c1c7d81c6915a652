import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { catalogItems, excludedRegions, ledgerEntries, prizes, redemptions } from "@/db/schema";
import { isAppError } from "@/lib/errors/app-error";
import { startExclusion } from "@/lib/rg/settings";
import { getBalances } from "@/lib/wallet/wallet";
import { connectTestDb, createPlayers } from "@/test/db";
import { grantTestCoins } from "@/test/wallet";
import { type CatalogRedemptionRequest, redeemCatalogItem } from "./redeem-item";

const db = connectTestDb(12);
const now = new Date("2026-12-05T12:00:00Z");
const rules = { minimumSc: 5_000, approvalThresholdSc: 50_000 };

async function item(priceSc: number, stock = 10): Promise<string> {
  const [prize] = await db
    .insert(prizes)
    .values({ name: `Card ${priceSc}`, kind: "crypto", valueCents: priceSc, quantity: 100 })
    .returning({ id: prizes.id });
  if (!prize) throw new Error("no prize");
  const [row] = await db
    .insert(catalogItems)
    .values({ prizeId: prize.id, priceSc, stock })
    .returning({ id: catalogItems.id });
  if (!row) throw new Error("no item");
  return row.id;
}

async function player(overrides: Parameters<typeof createPlayers>[2] = {}): Promise<string> {
  const [id] = await createPlayers(db, 1, { identityDeclaredAt: now, ...overrides });
  if (!id) throw new Error("no player");
  return id;
}

const redeem = (r: Omit<CatalogRedemptionRequest, "now" | "rules">) =>
  redeemCatalogItem(db, { ...r, now, rules });

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) {
      const reason = error.details?.reason;
      return typeof reason === "string" ? reason : error.code;
    }
    throw error;
  }
  return "went through";
}

const stockOf = async (id: string) =>
  (await db.select().from(catalogItems).where(eq(catalogItems.id, id)))[0]?.stock;

describe("redeeming a catalog item", () => {
  it("debits SC to the prize liability, takes stock and issues a redemption, once per key", async () => {
    const p = await player();
    const itemId = await item(6_000, 3);
    await grantTestCoins(db, p, "SC", 10_000, 0);
    const first = await redeem({ playerId: p, itemId, idempotencyKey: "k1" });
    expect(first.replayed).toBe(false);
    const again = await redeem({ playerId: p, itemId, idempotencyKey: "k1" });
    expect(again).toEqual({ redemptionId: first.redemptionId, replayed: true });

    expect(await getBalances(db, p)).toMatchObject({ SC: 4_000, redeemableSC: 4_000 });
    expect(await stockOf(itemId)).toBe(2);
    const [row] = await db.select().from(redemptions).where(eq(redemptions.id, first.redemptionId));
    expect(row).toMatchObject({
      catalogItemId: itemId,
      priceSc: 6_000,
      status: "fulfilled",
      dropId: null,
    });
    const entries = await db
      .select()
      .from(ledgerEntries)
      .where(eq(ledgerEntries.redemptionId, first.redemptionId));
    expect(entries.map((e) => e.kind)).toEqual(["redemption"]);
    const [txn] = await db.execute<{ kind: string; subject_id: string; postings: string }>(sql`
      select t.kind, t.subject_id, string_agg(a.kind || ':' || p.amount, ',' order by p.amount) as postings
      from wallet_transactions t join wallet_postings p on p.transaction_id = t.id
        join wallet_accounts a on a.id = p.account_id
      where t.idempotency_key = ${`redemption:${p}:k1`} group by t.id`);
    expect(txn).toEqual({
      kind: "redemption",
      subject_id: first.redemptionId,
      postings: "player:-6000,prize_liability:6000",
    });

    expect(
      await refusal(redeem({ playerId: p, itemId: await item(6_000), idempotencyKey: "k1" })),
    ).toBe("idempotency_mismatch");
  });

  it("refuses with a stable code for each rule, moving nothing", async () => {
    const itemId = await item(6_000, 1);
    const funded = async (overrides: Parameters<typeof createPlayers>[2] = {}) => {
      const id = await player(overrides);
      await grantTestCoins(db, id, "SC", 10_000, 0);
      return id;
    };
    const key = { idempotencyKey: "r" };
    expect(await refusal(redeem({ playerId: await player(), itemId, ...key }))).toBe(
      "insufficient_funds",
    );
    const playthrough = await player();
    await grantTestCoins(db, playthrough, "SC", 10_000, 5_000);
    expect(await refusal(redeem({ playerId: playthrough, itemId, ...key }))).toBe("not_redeemable");
    expect(
      await refusal(redeem({ playerId: await funded({ emailVerifiedAt: null }), itemId, ...key })),
    ).toBe("email_unverified");
    expect(
      await refusal(
        redeem({ playerId: await funded({ identityDeclaredAt: null }), itemId, ...key }),
      ),
    ).toBe("identity_required");
    await db.insert(excludedRegions).values({ code: "MT", sweepsOnly: true });
    expect(
      await refusal(redeem({ playerId: await funded({ region: "MT" }), itemId, ...key })),
    ).toBe("not_eligible:region");
    const excluded = await funded();
    await startExclusion(db, { kind: "cool_off", days: 1 }, { userId: excluded }, now);
    expect(await refusal(redeem({ playerId: excluded, itemId, ...key }))).toBe("self_excluded");
    expect(
      await refusal(redeem({ playerId: await funded(), itemId: await item(4_999), ...key })),
    ).toBe("below_minimum");
    expect(
      await refusal(redeem({ playerId: await funded(), itemId: crypto.randomUUID(), ...key })),
    ).toBe("not_found");
    expect(await refusal(redeem({ playerId: await funded(), itemId: "1 or 1=1", ...key }))).toBe(
      "not_found",
    );
    expect(await stockOf(itemId)).toBe(1);
    await redeem({ playerId: await funded(), itemId, ...key });
    expect(await refusal(redeem({ playerId: await funded(), itemId, ...key }))).toBe(
      "out_of_stock",
    );
  });

  it("holds a redemption above the threshold for approval, its SC and stock taken", async () => {
    const p = await player();
    const itemId = await item(60_000);
    await grantTestCoins(db, p, "SC", 60_000, 0);
    const { redemptionId } = await redeem({ playerId: p, itemId, idempotencyKey: "big" });
    const [row] = await db.select().from(redemptions).where(eq(redemptions.id, redemptionId));
    expect(row?.status).toBe("pending_approval");
    expect((await getBalances(db, p)).SC).toBe(0);
  });

  it("never overdraws under concurrent redemptions, and a key racing itself redeems once", async () => {
    const p = await player();
    const itemId = await item(5_000, 100);
    await grantTestCoins(db, p, "SC", 20_000, 0);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        refusal(redeem({ playerId: p, itemId, idempotencyKey: `c${i}` })),
      ),
    );
    expect(results.filter((r) => r === "went through")).toHaveLength(4);
    expect(results.filter((r) => r === "insufficient_funds")).toHaveLength(4);
    expect((await getBalances(db, p)).SC).toBe(0);

    const q = await player();
    await grantTestCoins(db, q, "SC", 20_000, 0);
    const same = await Promise.all(
      Array.from({ length: 6 }, () => redeem({ playerId: q, itemId, idempotencyKey: "same" })),
    );
    expect(new Set(same.map((s) => s.redemptionId)).size).toBe(1);
    expect(same.filter((s) => !s.replayed)).toHaveLength(1);
    expect((await getBalances(db, q)).SC).toBe(15_000);
    expect(await stockOf(itemId)).toBe(100 - 4 - 1);
  });
});
