import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { createAccount } from "@/lib/auth/create-account";
import { enrolWithSecret } from "@/lib/auth/two-factor";
import { createCatalogItem } from "@/lib/catalog/catalog";
import { importGiftCodes } from "@/lib/codes/import-codes";
import { createDrop } from "@/lib/drops/drops";
import { createDropSchema } from "@/lib/drops/model";
import { createPrize } from "@/lib/prizes/prizes";
import { postTransactions } from "@/lib/wallet/journal";
import type { Db } from "./client";
import { coinPackages, users } from "./schema";

export const DEMO_PASSWORD = "prizeledger";
/**
 * The demo admin's and auditor's two-factor secret (base32): add it to any authenticator app, or
 * print the current code with `npm run otp -- admin@prizeledger.test`.
 */
export const DEMO_TOTP_SECRET = "PRIZELEDGERDEMOTWOFACTORSECRETAB";

export const demoAccounts = [
  { email: "admin@prizeledger.test", role: "admin", displayName: "Ada Admin" },
  { email: "auditor@prizeledger.test", role: "auditor", displayName: "Otto Auditor" },
  { email: "alice@prizeledger.test", role: "player", displayName: "Alice", tier: "bronze" },
  { email: "bob@prizeledger.test", role: "player", displayName: "Bob", tier: "silver" },
  { email: "carol@prizeledger.test", role: "player", displayName: "Carol", tier: "gold" },
] as const;

/** Seeds demo accounts, prizes and drops into an empty database; does nothing the second time. */
export async function seedDemoData(db: Db): Promise<boolean> {
  const [existing] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  if ((existing?.n ?? 0) > 0) return false;
  const ids = new Map<string, string>();
  for (const account of demoAccounts) {
    const user = await createAccount(
      db,
      { email: account.email, password: DEMO_PASSWORD, displayName: account.displayName },
      account.role,
    );
    // Demo accounts are verified, adult, a month old and in the US: every demo drop is open to them.
    await db
      .update(users)
      .set({
        emailVerifiedAt: sql`now()`,
        adultDeclaredAt: sql`now() - interval '30 days'`,
        createdAt: sql`now() - interval '30 days'`,
        region: "US",
        loyaltyTier: "tier" in account ? account.tier : "bronze",
      })
      .where(eq(users.id, user.id));
    ids.set(account.email, user.id);
    // Admins and auditors must have two-factor on; the demo ones share a published secret.
    if (account.role !== "player") await enrolWithSecret(db, user.id, DEMO_TOTP_SECRET);
  }
  // The live drop's gift card is ordered from the gift-card provider (the local one `npm start`
  // runs) at each claim; the catalog's comes from a pool of imported codes.
  const providerCard = await createPrize(db, {
    name: "$25 Amazon.com Gift Card",
    kind: "gift_card",
    value: 25,
    quantity: 500,
    delivery: "giftcard",
    providerProduct: "amazon-us",
  });
  const giftCard = await createPrize(db, {
    name: "$25 Arcade Gift Card",
    kind: "gift_card",
    value: 25,
    quantity: 500,
  });
  // A code pool for the arcade card: redemptions and instant wins hand these out.
  const codes = Array.from(
    { length: 150 },
    () => `DEMO-${randomBytes(6).toString("hex").toUpperCase()}`,
  );
  await importGiftCodes(db, giftCard.id, ["code", ...codes].join("\n"));
  const token = await createPrize(db, {
    name: "10 PLT Token Bundle",
    kind: "crypto",
    value: 12.5,
    quantity: 1000,
    // PLT is the prize token npm start deploys (lib/payouts/deploy-token.ts): it pays on chain.
    tokenAmount: "10",
    tokenSymbol: "PLT",
  });
  const hoodie = await createPrize(db, {
    name: "Limited Edition Hoodie",
    kind: "physical",
    value: 60,
    quantity: 50,
  });
  const now = Date.now();
  await createDrop(
    db,
    createDropSchema.parse({
      title: "Launch Day Gift Card Drop",
      prizeId: providerCard.id,
      units: 100,
      startsAt: new Date(now - 60_000),
      endsAt: new Date(now + 30 * 86_400_000),
    }),
  );
  await createDrop(
    db,
    createDropSchema.parse({
      title: "Token Flash Drop",
      prizeId: token.id,
      units: 250,
      startsAt: new Date(now + 5 * 60_000),
      endsAt: new Date(now + 2 * 86_400_000),
    }),
  );
  // Gold Coin packages, each with free Sweeps Coins (amounts in minor units, prices in cents).
  await db.insert(coinPackages).values([
    { name: "Starter", priceCents: 499, gc: 500_000, bonusSc: 500, position: 0 },
    { name: "Popular", priceCents: 1999, gc: 2_500_000, bonusSc: 2000, position: 1 },
    { name: "Mega", priceCents: 4999, gc: 7_500_000, bonusSc: 5000, position: 2 },
  ]);
  // The catalog: the gift card is also the scratch card's instant-win prize; the hoodie costs
  // more than the approval threshold, so its redemptions wait for an admin.
  const admin = { actorId: ids.get("admin@prizeledger.test") ?? "" };
  const items = [
    { prize: giftCard.id, price: 5_000, stock: 40, instantWin: true },
    { prize: token.id, price: 10_000, stock: 100, instantWin: false },
    { prize: hoodie.id, price: 75_000, stock: 5, instantWin: false },
  ];
  for (const [position, item] of items.entries()) {
    await createCatalogItem(
      db,
      {
        prizeId: item.prize,
        price: item.price,
        stock: item.stock,
        position,
        instantWin: item.instantWin,
      },
      admin,
    );
  }
  // Demo players start with coins: Gold Coins to play, and Sweeps Coins as if won (redeemable).
  await db.transaction((tx) =>
    postTransactions(
      tx,
      demoAccounts.flatMap((account) => {
        const player = ids.get(account.email);
        if (account.role !== "player" || !player) return [];
        return [
          {
            kind: "grant" as const,
            idempotencyKey: `demo:${player}`,
            userId: player,
            reason: "demo data",
            postings: [
              { account: { player, currency: "GC" as const }, amount: 1_000_000 },
              {
                account: { system: "promotions" as const, currency: "GC" as const },
                amount: -1_000_000,
              },
              { account: { player, currency: "SC" as const }, amount: 20_000 },
              {
                account: { system: "promotions" as const, currency: "SC" as const },
                amount: -20_000,
              },
            ],
          },
        ];
      }),
    ),
  );
  return true;
}
