/**
 * Stands in for `@/auth` where a test calls server code as a signed-in caller: `auth()` answers
 * `session.current`, the session Auth.js would have decoded from the caller's cookie, and counts
 * its lookups. Everything after the decoding (the account read afresh, its roles, its session
 * version) runs for real. Use: `vi.mock("@/auth", () => import("@/test/auth-stub"))`, then set
 * `session.current` from the test.
 */
export const session = { current: null as unknown, lookups: 0 };

export async function auth(): Promise<unknown> {
  session.lookups++;
  return session.current;
}

export async function signIn(): Promise<undefined> {
  return undefined;
}

export async function signOut(): Promise<undefined> {
  return undefined;
}

export const handlers = {};
