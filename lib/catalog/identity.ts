import "server-only";
import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { users } from "@/db/schema";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import { type IdentityInput, type IdentityView, isAdultOn } from "./model";

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

/**
 * Records the identity a player declares before redeeming Sweeps Coins: legal name, date of birth
 * (18 or older on `now`) and postal address. Declaring again replaces it; each declaration is
 * audited with what it replaced, so a changed name or address stays on record.
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
