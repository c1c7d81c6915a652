import type { Metadata } from "next";
import Link from "next/link";
import { grantCoinsAction, issueMailInCodesAction } from "@/app/(admin)/actions";
import { GrantForm, MailInCodesForm } from "@/components/wallet/admin-wallet-forms";
import styles from "@/components/wallet/wallet.module.css";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { formatDateTime } from "@/lib/format";
import { formatCents } from "@/lib/payments/model";
import { formatCoins, transactionKindLabels } from "@/lib/wallet/model";
import { getWalletOverview } from "@/lib/wallet/overview";

export const metadata: Metadata = { title: "Wallet" };

const ACCOUNTS = [
  ["house", "House", "wins stakes, pays winnings"],
  ["promotions", "Promotions", "free coins given: bonuses, grants, mail-in, package SC"],
  ["prize_liability", "Prize liability", "SC spent on prizes not yet settled"],
  ["purchases", "Purchases", "GC sold"],
  ["players", "Players", "what all players hold"],
] as const;

export default async function AdminWalletPage() {
  await requirePageRole("/admin/wallet", "admin");
  const { totals, toReview, recent } = await getWalletOverview(getDb());
  return (
    <>
      <h1>Wallet</h1>
      <p className="lead">
        The journal's accounts, each the sum of its shards. Counterparties go below zero by what
        they gave. <Link href="/admin/wallet/packages">Coin packages →</Link>
      </p>
      <div className={styles.scroll}>
        <table data-testid="wallet-totals">
          <thead>
            <tr>
              <th>Account</th>
              <th className={styles.num}>GC</th>
              <th className={styles.num}>SC</th>
            </tr>
          </thead>
          <tbody>
            {ACCOUNTS.map(([kind, label, hint]) => (
              <tr key={kind} data-testid={`total-${kind}`}>
                <td>
                  {label} <span className="muted small">{hint}</span>
                </td>
                <td className={styles.num}>{formatCoins(totals[kind].GC)}</td>
                <td className={styles.num}>{formatCoins(totals[kind].SC)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {toReview.length > 0 && (
        <section className="alert error" data-testid="payments-to-review">
          <h2>Payments to review</h2>
          <p className="small">
            The processor confirmed these for another amount or currency than ordered, or late
            (after a decline or an expiry) past the player's purchase limit. Nothing was credited:
            check each with the processor, then refund it or grant the coins.
          </p>
          <div className={styles.scroll}>
            <table>
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Player</th>
                  <th className={styles.num}>Ordered</th>
                  <th>What was confirmed</th>
                </tr>
              </thead>
              <tbody>
                {toReview.map((p) => (
                  <tr key={p.id} data-testid="payment-to-review">
                    <td>{formatDateTime(p.at)}</td>
                    <td>
                      <Link href={`/admin/accounts/${p.player.id}/wallet`}>{p.player.email}</Link>
                    </td>
                    <td className={styles.num}>${formatCents(p.amountCents)}</td>
                    <td>{p.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      <div className="grid two">
        <GrantForm action={grantCoinsAction} />
        <MailInCodesForm action={issueMailInCodesAction} />
      </div>
      <h2>Recent transactions</h2>
      <div className={styles.scroll}>
        <table data-testid="recent-transactions">
          <thead>
            <tr>
              <th>Time</th>
              <th>Kind</th>
              <th>Player</th>
              <th>By</th>
              <th className={styles.num}>Player's GC</th>
              <th className={styles.num}>Player's SC</th>
            </tr>
          </thead>
          <tbody>
            {recent.map((t) => (
              <tr key={t.id}>
                <td>{formatDateTime(t.at)}</td>
                <td>
                  {transactionKindLabels[t.kind]}
                  {t.reason && <div className="muted small">{t.reason}</div>}
                </td>
                <td>
                  {t.player ? (
                    <Link href={`/admin/accounts/${t.player.id}/wallet`}>{t.player.email}</Link>
                  ) : (
                    "–"
                  )}
                </td>
                <td>{t.actorEmail ?? "–"}</td>
                <td className={styles.num}>
                  {t.moved.GC === undefined ? "" : formatCoins(t.moved.GC)}
                </td>
                <td className={styles.num}>
                  {t.moved.SC === undefined ? "" : formatCoins(t.moved.SC)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
