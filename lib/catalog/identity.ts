import "server-only";
import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { users } from "@/db/schema";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import { getBalances } from "@/lib/wallet/wallet";
import { releaseHeldPrizes } from "./instant-win";
import {
  type IdentityInput,
  type IdentityView,
  isAdultOn,
  type RedemptionReadiness,
} from "./model";

export async function getIdentity(db: DbOrTx, userId: string): Promise<IdentityView> {
  const [row] = await db
    .select({
      legalName: users.legalName,
      birthDate: users.birthDate,
      postalAddress: users.postalAddress,
      declaredAt: users.identityDeclaredAt,
    })
    .from(users)
    .where(eq(users.id, userId));
  if (!row) throw new AppError("not_found", "No such account");
  return { ...row, declaredAt: row.declaredAt?.toISOString() ?? null };
}

/** Where a player stands with the catalog's rules (the /catalog page shows it). */
export async function getRedemptionReadiness(
  db: DbOrTx,
  userId: string,
): Promise<RedemptionReadiness> {
  const [[row], balances] = await Promise.all([
    db
      .select({ declaredAt: users.identityDeclaredAt, verifiedAt: users.emailVerifiedAt })
      .from(users)
      .where(eq(users.id, userId)),
    getBalances(db, userId),
  ]);
  if (!row) throw new AppError("not_found", "No such account");
  return {
    identityDeclared: row.declaredAt !== null,
    emailVerified: row.verifiedAt !== null,
    sc: balances.SC,
    // SC lost in play can leave less than the playthrough still due: none is redeemable then.
    redeemableSc: Math.max(0, balances.redeemableSC),
    playthroughDue: balances.SC - balances.redeemableSC,
  };
}

/**
 * Records the identity a player declares before redeeming Sweeps Coins: legal name, date of birth
 * (18 or older on `now`) and postal address. Declaring again replaces it; each declaration is
 * audited with what it replaced, so a changed name or address stays on record. Round prizes held
 * for it are released (once the email is verified too).
 */
export async function declareIdentity(
  db: DbOrTx,
  input: IdentityInput,
  actor: { userId: string; tokenId?: string | null } & RequestContext,
  now: Date,
): Promise<IdentityView> {
  if (!isAdultOn(input.birthDate, now)) {
    throw new AppError("invalid_input", "You must be 18 or older to redeem Sweeps Coins", {
      field: "birthDate",
    });
  }
  return db.transaction(async (tx) => {
    const before = await getIdentity(tx, actor.userId);
    await tx
      .update(users)
      .set({
        legalName: input.legalName,
        birthDate: input.birthDate,
        postalAddress: input.postalAddress,
        identityDeclaredAt: now,
      })
      .where(eq(users.id, actor.userId));
    await releaseHeldPrizes(tx, actor.userId);
    const after = await getIdentity(tx, actor.userId);
    await recordEvent(tx, {
      ...actor,
      actorId: actor.userId,
      action: "identity_declare",
      subject: `user:${actor.userId}`,
      outcome: "ok",
      data: { before, after },
    });
    return after;
  });
}
