import "server-only";
import { auth } from "@/auth";
import { getDb } from "@/db/client";
import { AppError } from "@/lib/errors/app-error";
import type { PublicUser } from "./accounts";
import { userForApiToken } from "./api-tokens";
import { type SessionUser, sessionUser } from "./sessions";

export type Role = PublicUser["role"];
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

/** The caller of an API route: a bearer token if one is sent (with its id), else the session. */
export async function apiCaller(request: Request): Promise<SessionUser | undefined> {
  const header = request.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new AppError("unauthenticated", "Malformed Authorization header");
    const user = await userForApiToken(getDb(), match[1]);
    if (!user) throw new AppError("unauthenticated", "Invalid, expired or revoked API token");
    return user;
  }
  // With no cookie there can be no session: answer without asking Auth.js (which also lets
  // route handlers run outside a Next request, as the authorisation tests call them).
  if (!request.headers.has("cookie")) return undefined;
  return currentUser();
}

/** Admins and auditors act with their role only once two-factor is on. */
export function needsTwoFactor(user: SessionUser): boolean {
  return user.role !== "player" && !user.twoFactorEnabled;
}

export function requireRole(user: SessionUser | undefined, ...roles: Role[]): SessionUser {
  if (!user) throw new AppError("unauthenticated", "Sign in first");
  if (!roles.includes(user.role)) {
    throw new AppError("forbidden", "Your account may not do this");
  }
  if (needsTwoFactor(user)) {
    throw new AppError(
      "two_factor_required",
      "Turn on two-factor authentication at /account/security before using this role",
    );
  }
  return user;
}
