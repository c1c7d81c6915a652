import "server-only";
import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { users } from "@/db/schema";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import type { Declaration, Profile } from "./model";

/** The declarations a form must still bring for this profile, as field errors. */
export function missingDeclarations(profile: Profile, input: Declaration): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!profile.region && !input.region) errors.region = "Choose your country of residence";
  if (!profile.adultDeclaredAt && !input.adult) errors.adult = "Confirm that you are 18 or older";
  return errors;
}

export async function getProfile(db: DbOrTx, userId: string): Promise<Profile | undefined> {
  const [row] = await db
    .select({ region: users.region, adultDeclaredAt: users.adultDeclaredAt })
    .from(users)
    .where(eq(users.id, userId));
  return row;
}

/**
 * Completes a profile left open (accounts made through the API may skip both declarations).
 * A declared country is not changed here: it would let a player step around an excluded region.
 */
export async function declareProfile(
  db: DbOrTx,
  userId: string,
  input: Declaration,
  context: RequestContext,
): Promise<Profile> {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ region: users.region, adultDeclaredAt: users.adultDeclaredAt })
      .from(users)
      .where(eq(users.id, userId))
      .for("update");
    if (!before) throw new AppError("not_found", "No such account");
    if (input.region && before.region && input.region !== before.region) {
      throw new AppError(
        "region_locked",
        "Your country of residence is already declared; contact support to change it",
      );
    }
    const region = before.region ?? input.region ?? null;
    const adultDeclaredAt = before.adultDeclaredAt ?? (input.adult ? new Date() : null);
    if (region === before.region && adultDeclaredAt === before.adultDeclaredAt) return before;
    await tx.update(users).set({ region, adultDeclaredAt }).where(eq(users.id, userId));
    await recordEvent(tx, {
      ...context,
      actorId: userId,
      action: "profile_declare",
      subject: `user:${userId}`,
      outcome: "ok",
      data: {
        before: { region: before.region, adult: before.adultDeclaredAt !== null },
        after: { region, adult: adultDeclaredAt !== null },
      },
    });
    return { region, adultDeclaredAt };
  });
}

/**
 * Changes the name the account is shown by (the header, mails, admin pages); `displayName` is
 * parsed by displayNameSchema. The old and new name are audited; saving the same name is a no-op.
 */
export async function renameAccount(
  db: DbOrTx,
  userId: string,
  displayName: string,
  context: RequestContext,
): Promise<{ displayName: string }> {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ displayName: users.displayName })
      .from(users)
      .where(eq(users.id, userId))
      .for("update");
    if (!before) throw new AppError("not_found", "No such account");
    if (before.displayName === displayName) return before;
    await tx.update(users).set({ displayName }).where(eq(users.id, userId));
    await recordEvent(tx, {
      ...context,
      actorId: userId,
      action: "profile_rename",
      subject: `user:${userId}`,
      outcome: "ok",
      data: { before: { displayName: before.displayName }, after: { displayName } },
    });
    return { displayName };
  });
}
