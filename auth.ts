import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getDb } from "@/db/client";
import { recordEvent } from "@/lib/audit/record-event";
import { authenticate } from "@/lib/auth/accounts";
import { clientInfo } from "@/lib/http/client-info";

declare module "next-auth" {
  interface User {
    role?: "player" | "admin" | "auditor";
  }
  interface Session {
    user: { id: string; email: string; name?: string | null; role: "player" | "admin" | "auditor" };
  }
}

class InvalidCredentials extends CredentialsSignin {
  code = "invalid_credentials";
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  logger: {
    // A wrong password is an expected outcome (recorded in the audit trail), not a server error.
    error(error) {
      if (error.name !== "CredentialsSignin") console.error(error);
    },
  },
  session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
  pages: { signIn: "/signin" },
  providers: [
    Credentials({
      credentials: { email: { type: "email" }, password: { type: "password" } },
      async authorize(credentials, request) {
        const email = typeof credentials.email === "string" ? credentials.email : "";
        const password = typeof credentials.password === "string" ? credentials.password : "";
        const db = getDb();
        const user = await authenticate(db, email, password);
        await recordEvent(db, {
          ...clientInfo(request.headers),
          actorId: user?.id ?? null,
          action: "sign_in",
          subject: `email:${email.slice(0, 254).toLowerCase()}`,
          outcome: user ? "ok" : "refused",
          reason: user ? null : "invalid_credentials",
        });
        if (!user) throw new InvalidCredentials();
        return { id: user.id, email: user.email, name: user.displayName, role: user.role };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.role = user.role;
      }
      return token;
    },
    session({ session, token }) {
      session.user.id = token.sub ?? "";
      session.user.role = (token.role as "player" | "admin" | "auditor" | undefined) ?? "player";
      return session;
    },
  },
});
