import "server-only";
import { randomBytes } from "node:crypto";
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { type Db, type DbOrTx, sqlClient, type Tx } from "@/db/client";
import { apiTokens, users } from "@/db/schema";
import { enforceRateLimits, rateRules } from "@/lib/abuse/rate-limit";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors/app-error";
import { addressBucket } from "@/lib/http/client-info";
import { type IssuedToken, TOKEN_TTL_DAYS, type TokenOptions, type TokenSummary } from "./model";
import type { SessionUser } from "./sessions";
import { lockSession, sessionUserColumns } from "./sessions";
import { attemptSignIn, type SignInCredentials, signInRefusal } from "./sign-in";
import {
  createTokenVerifier,
  flushApiTokenUses,
  poolTokenVerifier,
  TOKEN_PREFIX,
  type TokenRow,
  type TokenUser,
  type TokenVerifier,
  tokenDigest,
} from "./token-verifier";

// Writing last_used_at on every request would turn each read into a write.
const useIsStale = sql<boolean>`(${apiTokens.lastUsedAt} is null or ${apiTokens.lastUsedAt} < now() - interval '1 minute')`;

/**
 * Creates a token and returns it once; only its SHA-256 is stored. It is made only for an account
 * not suspended and, when `sessionVersion` is given, still at the version the caller signed in
 * under. The account row is share-locked meanwhile, so a password reset or suspension at the same
 * moment either comes first (and this refuses) or waits for this token and then revokes it: a
 * token minted with the old password never outlives the reset.
 */
export async function issueApiToken(
  db: DbOrTx,
  userId: string,
  options: TokenOptions = {},
  sessionVersion?: number,
): Promise<IssuedToken> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const name = options.name ?? "api";
  const days = options.expiresInDays ?? TOKEN_TTL_DAYS;
  const expiresAt = new Date(Date.now() + days * 86_400_000);
  return db.transaction(async (tx) => {
    await lockSession(tx, userId, sessionVersion, "share");
    const [row] = await tx
      .insert(apiTokens)
      .values({ userId, tokenHash: tokenDigest(token), name, expiresAt })
      .returning({ id: apiTokens.id });
    if (!row) throw new Error("api_tokens insert returned no row");
    return { id: row.id, token, name, expiresAt };
  });
}

/** POST /api/v1/tokens: a full sign-in (limits, lockout, password, second factor), then a token. */
export async function createApiTokenWithPassword(
  db: DbOrTx,
  credentials: SignInCredentials,
  options: TokenOptions,
  context: RequestContext,
): Promise<IssuedToken & { role: SessionUser["role"] }> {
  const result = await attemptSignIn(db, credentials, context, "token_create");
  if (!result.ok) throw signInRefusal(result);
  const issued = await issueApiToken(db, result.user.id, options, result.user.sessionVersion);
  return { ...issued, role: result.user.role };
}

/**
 * A token made on the account page by a signed-in user: under the same limits as POST
 * /api/v1/tokens (a stolen session must not mint tokens by the thousand either), and only while
 * the session is still current.
 */
export async function createApiTokenForUser(
  db: DbOrTx,
  user: Pick<SessionUser, "id" | "email" | "sessionVersion">,
  options: TokenOptions,
  context: RequestContext,
): Promise<IssuedToken> {
  const userId = user.id;
  await enforceRateLimits(
    db,
    [
      { rule: rateRules.tokenPerIp, subject: addressBucket(context.ip) },
      { rule: rateRules.tokenPerAccount, subject: user.email },
    ],
    "Too many new tokens: wait a moment and try again",
  );
  return db.transaction(async (tx) => {
    const issued = await issueApiToken(tx, userId, options, user.sessionVersion);
    await recordEvent(tx, {
      ...context,
      actorId: userId,
      action: "token_create",
      subject: `token:${issued.id}`,
      outcome: "ok",
      data: { name: issued.name, expiresAt: issued.expiresAt.toISOString() },
    });
    return issued;
  });
}

export async function listApiTokens(db: DbOrTx, userId: string): Promise<TokenSummary[]> {
  await flushApiTokenUses(db);
  const rows = await db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      createdAt: apiTokens.createdAt,
      expiresAt: apiTokens.expiresAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .where(eq(apiTokens.userId, userId))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
  const now = Date.now();
  return rows.map((row) => ({
    ...row,
    status: row.revokedAt ? "revoked" : row.expiresAt.getTime() <= now ? "expired" : "active",
  }));
}

/** Revokes one of the caller's tokens; another account's token is answered as absent. */
export async function revokeApiToken(
  db: DbOrTx,
  userId: string,
  tokenId: string,
  context: RequestContext & { tokenId?: string },
): Promise<void> {
  if (!z.uuid().safeParse(tokenId).success) throw new AppError("not_found", "No such token");
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiTokens)
      .set({ revokedAt: sql`coalesce(${apiTokens.revokedAt}, now())` })
      .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId)))
      .returning({ name: apiTokens.name });
    if (!row) throw new AppError("not_found", "No such token");
    await recordEvent(tx, {
      ...context,
      actorId: userId,
      action: "token_revoke",
      subject: `token:${tokenId}`,
      outcome: "ok",
      data: { name: row.name },
    });
  });
}

/**
 * Revokes every live token of the account, for a password reset or a suspension (inside its
 * transaction): a token minted with a stolen password must not outlive the reset. Returns how many.
 */
export async function revokeAllApiTokens(tx: Tx, userId: string): Promise<number> {
  const revoked = await tx
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return revoked.length;
}

/** The live tokens among `hashes` at `now`, of accounts not suspended: one query for a batch. */
export async function lookUpApiTokens(db: Db, hashes: Buffer[], now: Date): Promise<TokenRow[]> {
  // As hex text: postgres.js would send an array of Buffers as one bytea, not as bytea[].
  const hex = hashes.map((hash) => hash.toString("hex"));
  return db
    .select({
      ...sessionUserColumns,
      tokenId: apiTokens.id,
      tokenHash: apiTokens.tokenHash,
      expiresAt: apiTokens.expiresAt,
      useStale: useIsStale,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        sql`${apiTokens.tokenHash} = any(array(select decode(h, 'hex') from unnest(${sql.param(hex)}::text[]) as t(h)))`,
        isNull(apiTokens.revokedAt),
        gt(apiTokens.expiresAt, now),
        isNull(users.suspendedAt),
      ),
    );
}

/** Notes the use of these tokens, each at most once per minute (one statement for them all). */
export async function noteApiTokenUse(db: Db, tokenIds: string[]): Promise<void> {
  await db
    .update(apiTokens)
    .set({ lastUsedAt: sql`now()` })
    .where(and(sql`${apiTokens.id} = any(${sql.param(tokenIds)}::uuid[])`, useIsStale));
}

/** The pool's verifier, listening for revocations on the pool's own client. */
function tokenVerifier(db: Db): TokenVerifier {
  return poolTokenVerifier(db, () => {
    const client = sqlClient(db);
    return createTokenVerifier({
      lookUp: (hashes, now) => lookUpApiTokens(db, hashes, now),
      noteUse: (tokenIds) => noteApiTokenUse(db, tokenIds),
      cacheSeconds: env().API_TOKEN_CACHE_SECONDS,
      listen: (channel, onNotify, onListen) => client.listen(channel, onNotify, onListen),
    });
  });
}

/**
 * The account a bearer token stands for (live tokens of accounts not suspended only), read from
 * the database by a lookup that starts after this call (shared with others arriving together).
 * Its use is noted a moment later, off the request path.
 */
export function userForApiToken(db: Db, token: string): Promise<TokenUser | undefined> {
  return tokenVerifier(db).verify(token, true);
}

/**
 * The same, but a token verified in the last API_TOKEN_CACHE_SECONDS is answered from memory: the
 * request path's lookup. A revocation or account change reaches every process's cache through
 * NOTIFY at its commit; were that channel down, an entry lives no longer than the setting.
 */
export function cachedUserForApiToken(db: Db, token: string): Promise<TokenUser | undefined> {
  return tokenVerifier(db).verify(token);
}
