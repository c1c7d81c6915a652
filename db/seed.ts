import { sql } from "drizzle-orm";
import { createAccount } from "@/lib/auth/accounts";
import { createDrop } from "@/lib/drops/drops";
import { createPrize } from "@/lib/prizes/prizes";
import type { Db } from "./client";
import { users } from "./schema";

export const DEMO_PASSWORD = "prizeledger";

export const demoAccounts = [
  { email: "admin@prizeledger.test", role: "admin", displayName: "Ada Admin" },
  { email: "auditor@prizeledger.test", role: "auditor", displayName: "Otto Auditor" },
  { email: "alice@prizeledger.test", role: "player", displayName: "Alice" },
  { email: "bob@prizeledger.test", role: "player", displayName: "Bob" },
  { email: "carol@prizeledger.test", role: "player", displayName: "Carol" },
] as const;

/** Seeds demo accounts, prizes and drops into an empty database; does nothing the second time. */
export async function seedDemoData(db: Db): Promise<boolean> {
  const [existing] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  if ((existing?.n ?? 0) > 0) return false;
  for (const account of demoAccounts) {
    await createAccount(
      db,
      { email: account.email, password: DEMO_PASSWORD, displayName: account.displayName },
      account.role,
    );
  }
  const giftCard = await createPrize(db, {
    name: "$25 Arcade Gift Card",
    kind: "gift_card",
    value: 25,
    quantity: 500,
  });
  const token = await createPrize(db, {
    name: "10 PLT Token Bundle",
    kind: "crypto",
    value: 12.5,
    quantity: 1000,
  });
  await createPrize(db, {
    name: "Limited Edition Hoodie",
    kind: "physical",
    value: 60,
    quantity: 50,
  });
  const now = Date.now();
  await createDrop(db, {
    title: "Launch Day Gift Card Drop",
    prizeId: giftCard.id,
    units: 100,
    startsAt: new Date(now - 60_000),
    endsAt: new Date(now + 30 * 86_400_000),
  });
  await createDrop(db, {
    title: "Token Flash Drop",
    prizeId: token.id,
    units: 250,
    startsAt: new Date(now + 5 * 60_000),
    endsAt: new Date(now + 2 * 86_400_000),
  });
  return true;
}
