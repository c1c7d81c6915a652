import "server-only";
import { auth } from "@/auth";
import { getDb } from "@/db/client";
import { AppError } from "@/lib/errors/app-error";
import { findUserById, type PublicUser } from "./accounts";
import { userForApiToken } from "./api-tokens";

export type Role = PublicUser["role"];

/**
 * The signed-in account, read fresh from the database (not from the session cookie) so that a
 * changed role or a deleted account takes effect on the next request.
 */
export async function currentUser(): Promise<PublicUser | undefined> {
  const session = await auth();
  const id = session?.user?.id;
  return id ? findUserById(getDb(), id) : undefined;
}

/** The caller of an API route: a bearer token if one is sent, else the browser session. */
export async function apiCaller(request: Request): Promise<PublicUser | undefined> {
  const header = request.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new AppError("unauthenticated", "Malformed Authorization header");
    const user = await userForApiToken(getDb(), match[1]);
    if (!user) throw new AppError("unauthenticated", "Invalid, expired or revoked API token");
    return user;
  }
  return currentUser();
}

export function requireRole<T extends PublicUser>(user: T | undefined, ...roles: Role[]): T {
  if (!user) throw new AppError("unauthenticated", "Sign in first");
  if (!roles.includes(user.role)) {
    throw new AppError("forbidden", "Your account may not do this");
  }
  return user;
}
