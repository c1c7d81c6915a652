import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { type User, users } from "@/db/schema";
import { AppError } from "@/lib/errors/app-error";
import type { PublicUser, Role, SignUpInput } from "./model";
import { hashPassword } from "./password";

function toPublic(user: User): PublicUser {
  return { id: user.id, email: user.email, role: user.role, displayName: user.displayName };
}

export async function createAccount(
  db: DbOrTx,
  input: SignUpInput,
  role: Role = "player",
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
