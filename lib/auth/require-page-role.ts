import "server-only";
import { forbidden, redirect } from "next/navigation";
import { currentUser, needsTwoFactor, type SessionUser } from "./current-user";
import type { Role } from "./model";

/**
 * For pages: sends anonymous visitors to sign in, answers 403 to the wrong role, and sends an
 * admin or auditor without two-factor to set it up first.
 */
export async function requirePageRole(path: string, ...roles: Role[]): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect(`/signin?next=${encodeURIComponent(path)}`);
  if (!roles.includes(user.role)) forbidden();
  if (needsTwoFactor(user)) redirect(`/account/security?next=${encodeURIComponent(path)}`);
  return user;
}
