import { GeistMono } from "geist/font/mono";
import { GeistSans } from "geist/font/sans";
import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { resendVerificationAction, signOutAction } from "@/app/(auth)/actions";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { VerifyEmailBanner } from "@/components/auth/verify-email-banner";
import { HeaderBell } from "@/components/notifications/header-bell";
import { SessionReminder } from "@/components/rg/session-reminder";
import { ViewerProvider } from "@/components/ui/date-time";
import { SiteMenu } from "@/components/ui/site-menu";
import { HeaderBalances } from "@/components/wallet/header-balances";
import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/current-user";
import { requestViewer } from "@/lib/http/request-viewer";
import { mailboxAccess } from "@/lib/mail/mail-capture";
import { countUnread } from "@/lib/notifications/notifications";
import { getBalances, toWalletView } from "@/lib/wallet/wallet";
import "./globals.css";

export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Prizeledger", template: "%s · Prizeledger" },
  description: "Prize drops and redemptions with a verifiable, chain-anchored audit log",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  const mailbox = mailboxAccess();
  const balances =
    user?.role === "player" ? toWalletView(await getBalances(getDb(), user.id)) : undefined;
  const unread = user?.role === "player" ? await countUnread(getDb(), user.id) : undefined;
  const viewer = await requestViewer();
  return (
    <html lang="en" className={`${GeistSans.variable} ${GeistMono.variable}`}>
      <body>
        <a href="#content" className="skip-link">
          Skip to content
        </a>
        <header className="site-header">
          <div className="inner">
            <Link href="/" className="logo">
              Prize<span>ledger</span>
            </Link>
            {unread && <HeaderBell initial={unread} />}
            <SiteMenu>
              <nav aria-label="Main">
                <Link href="/">Drops</Link>
                <Link href="/catalog">Catalog</Link>
                {user?.role === "player" && <Link href="/play">Play</Link>}
                {user?.role === "player" && <Link href="/fairness">Fairness</Link>}
                {user?.role === "player" && <Link href="/redemptions">My redemptions</Link>}
                {user?.role === "player" && <Link href="/wallet">Wallet</Link>}
                {user?.role === "admin" && <Link href="/admin">Admin</Link>}
                {user?.role === "auditor" && <Link href="/admin/audit">Audit trail</Link>}
                {(user?.role === "admin" || user?.role === "auditor") && (
                  <Link href="/admin/analytics">Analytics</Link>
                )}
                <Link href="/ledger">Ledger</Link>
                <Link href="/verify">Verify a receipt</Link>
                {(mailbox === "public" || (mailbox === "admins" && user?.role === "admin")) && (
                  <Link href="/dev/mailbox">Dev mailbox</Link>
                )}
              </nav>
              <div className="account">
                {user ? (
                  <>
                    {balances && <HeaderBalances initial={balances} />}
                    {/* A long name is cut short in the bar; the title and the text keep it whole. */}
                    <span data-testid="signed-in-as" className="who" title={user.displayName}>
                      <span className="name">{user.displayName}</span> · {user.role}
                    </span>
                    <Link href="/account">Account</Link>
                    <SignOutButton action={signOutAction} />
                  </>
                ) : (
                  <>
                    <Link href="/signin">Sign in</Link>
                    <Link href="/signup">Sign up</Link>
                  </>
                )}
              </div>
            </SiteMenu>
          </div>
        </header>
        {user && <VerifyEmailBanner user={user} resendAction={resendVerificationAction} />}
        {user?.role === "player" && <SessionReminder />}
        <main id="content" tabIndex={-1}>
          <ViewerProvider viewer={viewer}>{children}</ViewerProvider>
        </main>
      </body>
    </html>
  );
}
