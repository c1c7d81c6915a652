import "server-only";
import { auth } from "@/auth";
import { getDb } from "@/db/client";
import { AppError } from "@/lib/errors/app-error";
import { cachedUserForApiToken, userForApiToken } from "./api-tokens";
import type { Role } from "./model";
import { type SessionUser, sessionUser } from "./sessions";

export type { SessionUser };

/**
 * The signed-in account, read fresh from the database (not from the session cookie) so that a
 * changed role or a deleted account takes effect on the next request, and a session from before
 * "sign out of all sessions" (or a password reset) counts as signed out.
 */
export async function currentUser(): Promise<SessionUser | undefined> {
  const session = await auth();
  const id = session?.user?.id;
  return id ? sessionUser(getDb(), id, session.user.sessionVersion) : undefined;
}

/** The token of the request's `Authorization: Bearer` header, if it has the header at all. */
function bearerToken(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new AppError("unauthenticated", "Malformed Authorization header");
  return match[1];
}

/** The caller of an API route: a bearer token if one is sent (with its id), else the session. */
export async function apiCaller(request: Request): Promise<SessionUser | undefined> {
  const token = bearerToken(request);
  if (token) {
    const user = await cachedUserForApiToken(getDb(), token);
    if (!user) throw new AppError("unauthenticated", "Invalid, expired or revoked API token");
    return user;
  }
  // With no cookie there can be no session: answer without asking Auth.js (which also lets
  // route handlers run outside a Next request, as the authorisation tests call them).
  if (!request.headers.has("cookie")) return undefined;
  return currentUser();
}

/**
 * Whether the caller apiCaller let in may still act in one of `roles`, read afresh from the
 * database: the same token (not revoked, account not suspended), or the same session (version
 * current, account not suspended), with the role still held. For a response that outlives its
 * request, which must end with the caller's suspension, demotion, reset or sign-out everywhere;
 * it needs no Next request context, so it may run long after the handler returned.
 */
export async function callerStillHasRole(
  request: Request,
  caller: SessionUser,
  ...roles: Role[]
): Promise<boolean> {
  const token = bearerToken(request);
  const now = token
    ? await userForApiToken(getDb(), token)
    : await sessionUser(getDb(), caller.id, caller.sessionVersion);
  return now?.id === caller.id && roles.includes(now.role) && !needsTwoFactor(now);
}

/** Admins and auditors act with their role only once two-factor is on. */
export function needsTwoFactor(user: SessionUser): boolean {
  return user.role !== "player" && !user.twoFactorEnabled;
}

/** Why `user` may not act in one of `roles` (signed out, another role, two-factor off), if not. */
export function roleRefusal(user: SessionUser | undefined, ...roles: Role[]): AppError | undefined {
  if (!user) return new AppError("unauthenticated", "Sign in first");
  if (!roles.includes(user.role)) return new AppError("forbidden", "Your account may not do this");
  if (needsTwoFactor(user)) {
    return new AppError(
      "two_factor_required",
      "Turn on two-factor authentication at /account/security before using this role",
    );
  }
  return undefined;
}

export function requireRole(user: SessionUser | undefined, ...roles: Role[]): SessionUser {
  const refusal = roleRefusal(user, ...roles);
  if (refusal || !user) throw refusal;
  return user;
}
