import "server-only";
import type { Db } from "@/db/client";
import { recordEvent } from "@/lib/audit/record-event";
import { createAccount } from "@/lib/auth/create-account";
import type { PublicUser } from "@/lib/auth/model";
import { AppError, isAppError } from "@/lib/errors/app-error";
import { createAdminSchema } from "./model";

/**
 * Makes an admin from the operator's console (`npm run accounts -- create-admin`): only an admin
 * can give the role in the app, so the first one comes from here. It has no two-factor yet, so
 * until its first sign-in sets it up every admin page sends it there and the API answers
 * `two_factor_required`. An existing address is refused, never promoted: a console that turned
 * any account into an admin would let a typo hand the platform to a stranger.
 */
export async function createAdmin(db: Db, input: unknown): Promise<PublicUser> {
  const { email, password } = createAdminSchema.parse(input);
  return db.transaction(async (tx) => {
    const admin = await createAccount(tx, { email, password }, "admin").catch((error) => {
      if (isAppError(error) && error.code === "email_taken") {
        throw new AppError(
          "email_taken",
          `An account with ${email} already exists: choose another address, or have an admin ` +
            "give it the admin role at /admin/accounts",
        );
      }
      throw error;
    });
    await recordEvent(tx, {
      action: "admin_create",
      subject: `user:${admin.id}`,
      outcome: "ok",
      data: { email, via: "console" },
    });
    return admin;
  });
}
