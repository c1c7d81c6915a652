import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { apiTokens, users } from "@/db/schema";
import type { PublicUser } from "./accounts";

const PREFIX = "plt_";
export const TOKEN_TTL_DAYS = 30;

function digest(token: string): Uint8Array {
  return createHash("sha256").update(token).digest();
}

/** Creates a token and returns it once; only its SHA-256 is stored. */
export async function issueApiToken(
  db: DbOrTx,
  userId: string,
  name = "api",
): Promise<{ token: string; expiresAt: Date }> {
  const token = `${PREFIX}${randomBytes(32).toString("base64url")}`;
  const expiresAt = new Date(Date.now() + TOKEN_TTL_DAYS * 86_400_000);
  await db.insert(apiTokens).values({ userId, tokenHash: digest(token), name, expiresAt });
  return { token, expiresAt };
}

export async function userForApiToken(db: DbOrTx, token: string): Promise<PublicUser | undefined> {
  if (!token.startsWith(PREFIX) || token.length > 200) return undefined;
  const [row] = await db
    .select({ id: users.id, email: users.email, role: users.role, displayName: users.displayName })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        eq(apiTokens.tokenHash, digest(token)),
        isNull(apiTokens.revokedAt),
        gt(apiTokens.expiresAt, new Date()),
      ),
    );
  return row;
}
