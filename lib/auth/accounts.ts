import { sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { type User, users } from "@/db/schema";
import { AppError } from "@/lib/errors/app-error";
import { decoyHash, hashPassword, verifyPassword } from "./password";

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
  displayName: z.string().trim().min(1).max(60).optional(),
});
export type SignUpInput = z.infer<typeof signUpSchema>;

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

export async function findUserById(db: DbOrTx, id: string): Promise<PublicUser | undefined> {
  const [user] = await db.select().from(users).where(sql`${users.id} = ${id}`);
  return user && toPublic(user);
}

/** Returns the account for a correct email and password, else undefined (same cost either way). */
export async function authenticate(
  db: DbOrTx,
  email: string,
  password: string,
): Promise<PublicUser | undefined> {
  const parsed = emailSchema.safeParse(email);
  const user = parsed.success ? await findUserByEmail(db, parsed.data) : undefined;
  if (!user) {
    await verifyPassword(await decoyHash(), password);
    return undefined;
  }
  return (await verifyPassword(user.passwordHash, password)) ? toPublic(user) : undefined;
}
