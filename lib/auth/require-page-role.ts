import "server-only";
import { forbidden, redirect } from "next/navigation";
import type { PublicUser } from "./accounts";
import { currentUser, type Role } from "./current-user";

/** For pages: sends anonymous visitors to sign in and answers 403 to the wrong role. */
export async function requirePageRole(path: string, ...roles: Role[]): Promise<PublicUser> {
  const user = await currentUser();
  if (!user) redirect(`/signin?next=${encodeURIComponent(path)}`);
  if (!roles.includes(user.role)) forbidden();
  return user;
}
