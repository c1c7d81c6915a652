import { sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { type User, users } from "@/db/schema";
import { AppError } from "@/lib/errors/app-error";
import { countryCodeSchema } from "@/lib/geo/countries";
import { NUL_MESSAGE, withoutNul } from "@/lib/validation/storable-text";
import { hashPassword } from "./password";

export const emailSchema = z
  .string({ error: "Email is required" })
  .trim()
  .toLowerCase()
  .max(254, "Email is too long")
  .pipe(z.email({ error: "Enter a valid email address" }));

export const passwordSchema = z
  .string({ error: "Password is required" })
  .min(10, "Password must be at least 10 characters")
  .max(200, "Password must be at most 200 characters");

export const signUpSchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  displayName: z.string().trim().min(1).max(60).refine(withoutNul, NUL_MESSAGE).optional(),
  // Optional so that API clients sending only {email, password} keep working; such an account
  // cannot claim until it has declared both.
  region: countryCodeSchema.optional(),
  adult: z
    .literal(true, { error: "Only players 18 or older may sign up: send adult: true" })
    .optional(),
});
export type SignUpInput = z.infer<typeof signUpSchema>;

/** The sign-up page asks every player for both declarations. */
export const signUpFormSchema = signUpSchema.extend({
  region: z.string({ error: "Choose your country of residence" }).pipe(countryCodeSchema),
  adult: z.literal(true, { error: "Confirm that you are 18 or older" }),
});

export type PublicUser = Pick<User, "id" | "email" | "role" | "displayName">;

function toPublic(user: User): PublicUser {
  return { id: user.id, email: user.email, role: user.role, displayName: user.displayName };
}

export async function createAccount(
  db: DbOrTx,
  input: SignUpInput,
  role: User["role"] = "player",
): Promise<PublicUser> {
  const passwordHash = await hashPassword(input.password);
  const [user] = await db
    .insert(users)
    .values({
      email: input.email,
      passwordHash,
      role,
      displayName: input.displayName ?? input.email.split("@")[0] ?? input.email,
      region: input.region ?? null,
      adultDeclaredAt: input.adult ? sql`now()` : null,
    })
    .onConflictDoNothing()
    .returning();
  if (!user) throw new AppError("email_taken", "An account with this email already exists");
  return toPublic(user);
}

export async function findUserByEmail(db: DbOrTx, email: string): Promise<User | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = ${email.trim().toLowerCase()}`);
  return user;
}
