import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getDb } from "@/db/client";
import { recordSignals, sessionSignals } from "@/lib/abuse/account-links";
import { requestSignals } from "@/lib/abuse/request-signals";
import { sessionUser } from "@/lib/auth/sessions";
import { attemptSignIn } from "@/lib/auth/sign-in";
import { clientInfo } from "@/lib/http/client-info";
import { safeRedirectPath } from "@/lib/http/safe-redirect-path";
import { logError } from "@/lib/log";
import type { SignInReason } from "./lib/auth/model";

type Role = "player" | "admin" | "auditor";

declare module "next-auth" {
  interface User {
    role?: Role;
    sessionVersion?: number;
  }
  interface Session {
    user: {
      id: string;
      email: string;
      name?: string | null;
      role: Role;
      /** users.sessionVersion when the session began; currentUser() refuses an older one. */
      sessionVersion?: number;
    };
  }
}

/**
 * A refused sign-in. Auth.js rethrows it unchanged to a server-side signIn() call, so `code` (the
 * reason) and `retryAfter` reach the sign-in form.
 */
export class SignInRefused extends CredentialsSignin {
  constructor(
    readonly reason: SignInReason,
    readonly retryAfter?: number,
  ) {
    super();
    this.code = reason;
  }
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  logger: {
    // A refused sign-in is an expected outcome (recorded in the audit trail), not a server error.
    error(error) {
      if (!(error instanceof CredentialsSignin)) logError("auth_error", error);
    },
  },
  // The session cookie is HttpOnly and SameSite=Lax; Auth.js adds Secure (and the __Secure-
  // name prefix) when the site is served over https.
  session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
  pages: { signIn: "/signin" },
  providers: [
    Credentials({
      credentials: {
        email: { type: "email" },
        password: { type: "password" },
        otp: { type: "text" },
      },
      async authorize(credentials, request) {
        const text = (value: unknown) => (typeof value === "string" ? value : "");
        const result = await attemptSignIn(
          getDb(),
          {
            email: text(credentials.email),
            password: text(credentials.password),
            otp: text(credentials.otp) || undefined,
          },
          clientInfo(request.headers),
        );
        if (!result.ok) throw new SignInRefused(result.reason, result.retryAfter);
        const { user } = result;
        await recordSignals(getDb(), sessionSignals(user.id, requestSignals(request.headers)));
        return {
          id: user.id,
          email: user.email,
          name: user.displayName,
          role: user.role,
          sessionVersion: user.sessionVersion,
        };
      },
    }),
  ],
  callbacks: {
    // Auth.js hands over a callbackUrl from a query, a form or a cookie, as a path or a URL.
    redirect({ url, baseUrl }) {
      const path = url.startsWith(`${baseUrl}/`) ? url.slice(baseUrl.length) : url;
      return `${baseUrl}${safeRedirectPath(path)}`;
    },
    async jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.role = user.role;
        token.sv = user.sessionVersion;
        return token;
      }
      // A session that a reset, a suspension or "sign out everywhere" ended is no session, for
      // /api/auth/session as for auth(): null makes Auth.js answer none and clear the cookie.
      if (!token.sub) return null;
      const sessionVersion = typeof token.sv === "number" ? token.sv : undefined;
      return (await sessionUser(getDb(), token.sub, sessionVersion)) ? token : null;
    },
    session({ session, token }) {
      session.user.id = token.sub ?? "";
      session.user.role = (token.role as Role | undefined) ?? "player";
      session.user.sessionVersion = typeof token.sv === "number" ? token.sv : undefined;
      return session;
    },
  },
});
