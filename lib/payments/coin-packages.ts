import "server-only";
import { asc, eq } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { type CoinPackage, coinPackages } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import type { AuditContext } from "@/lib/wallet/free-coins";
import { formatCoins } from "@/lib/wallet/model";
import { type CoinPackageInput, formatCents } from "./model";

/** Every package, retired ones too, for the admin page. */
export function listAllCoinPackages(db: DbOrTx): Promise<CoinPackage[]> {
  return db
    .select()
    .from(coinPackages)
    .orderBy(asc(coinPackages.position), asc(coinPackages.priceCents));
}

/** Puts a package on sale (after the others), audited. */
export async function createCoinPackage(
  db: Db,
  adminId: string,
  input: CoinPackageInput,
  context: AuditContext = {},
): Promise<CoinPackage> {
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(coinPackages)
      .values({
        name: input.name,
        priceCents: input.price,
        gc: input.gc,
        bonusSc: input.bonusSc,
        position: (await listAllCoinPackages(tx)).length,
      })
      .returning();
    if (!created) throw new Error("package not written");
    await recordEvent(tx, {
      actorId: adminId,
      action: "wallet.package_created",
      subject: created.id,
      outcome: "ok",
      data: {
        after: {
          name: created.name,
          price: formatCents(created.priceCents),
          gc: formatCoins(created.gc),
          bonusSc: formatCoins(created.bonusSc),
        },
      },
      ...context,
    });
    return created;
  });
}

/**
 * Takes a package off sale, or back on. Payments already made keep the price and coins they
 * copied, so a retired package's pending payments still credit what was paid for.
 */
export async function setCoinPackageRetired(
  db: Db,
  adminId: string,
  packageId: string,
  retired: boolean,
  context: AuditContext = {},
): Promise<void> {
  await db.transaction(async (tx) => {
    const [changed] = await tx
      .update(coinPackages)
      .set({ retiredAt: retired ? new Date() : null })
      .where(eq(coinPackages.id, packageId))
      .returning({ id: coinPackages.id });
    if (!changed) throw new AppError("not_found", "No such coin package");
    await recordEvent(tx, {
      actorId: adminId,
      action: retired ? "wallet.package_retired" : "wallet.package_restored",
      subject: packageId,
      outcome: "ok",
      ...context,
    });
  });
}
