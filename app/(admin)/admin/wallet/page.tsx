import type { Metadata } from "next";
import Link from "next/link";
import {
  grantCoinsAction,
  issueMailInCodesAction,
  resolvePaymentAction,
} from "@/app/(admin)/actions";
import { DateTime } from "@/components/ui/date-time";
import { GrantForm, MailInCodesForm } from "@/components/wallet/admin-wallet-forms";
import { PaymentReviewForm } from "@/components/wallet/payment-review-form";
import styles from "@/components/wallet/wallet.module.css";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { formatCents } from "@/lib/payments/model";
import { formatCoins, transactionKindLabels } from "@/lib/wallet/model";
import { getWalletOverview, type PaymentToReview } from "@/lib/wallet/overview";

export const metadata: Metadata = { title: "Wallet" };

const ACCOUNTS = [
  ["house", "House", "wins stakes, pays winnings"],
  ["promotions", "Promotions", "free coins given: bonuses, grants, mail-in, package SC"],
  ["prize_liability", "Prize liability", "SC spent on prizes not yet settled"],
  ["purchases", "Purchases", "GC sold"],
  ["players", "Players", "what all players hold"],
] as const;

/** A payment's first cells: when, whose (to their wallet) and what was ordered. */
function PaymentCells({ at, payment }: { at: Date; payment: PaymentToReview }) {
  return (
    <>
      <td>
        <DateTime value={at} />
      </td>
      <td>
        <Link href={`/admin/accounts/${payment.player.id}/wallet`}>{payment.player.email}</Link>
      </td>
      <td className={styles.num}>${formatCents(payment.amountCents)}</td>
    </>
  );
}

export default async function AdminWalletPage() {
  await requirePageRole("/admin/wallet", "admin");
  const { totals, toReview, resolved, recent } = await getWalletOverview(getDb());
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
            check each with the processor, then credit it (the package's GC, and its free SC where
            the player may have it) or refund it there and close it as refunded. A reason is kept
            with either. Crediting is allowed even past the player's purchase limit: that is your
            decision, and the audit log records the limit it passes.
          </p>
          <div className={styles.scroll}>
            <table>
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Player</th>
                  <th className={styles.num}>Ordered</th>
                  <th>Why it is held</th>
                  <th>Resolve</th>
                </tr>
              </thead>
              <tbody>
                {toReview.map((p) => (
                  <tr key={p.id} data-testid="payment-to-review">
                    <PaymentCells at={p.at} payment={p} />
                    <td>{p.reason}</td>
                    <td>
                      <PaymentReviewForm
                        label={`the payment of $${formatCents(p.amountCents)} by ${p.player.email}`}
                        action={resolvePaymentAction.bind(null, p.id)}
                      />
                    </td>
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
      {resolved.length > 0 && (
        <section data-testid="resolved-payments">
          <h2>Payments resolved</h2>
          <div className={styles.scroll}>
            <table>
              <thead>
                <tr>
                  <th>Resolved</th>
                  <th>Player</th>
                  <th className={styles.num}>Ordered</th>
                  <th>Outcome</th>
                  <th>By, and why</th>
                </tr>
              </thead>
              <tbody>
                {resolved.map((p) => (
                  <tr key={p.id} data-testid="resolved-payment">
                    <PaymentCells at={p.reviewedAt} payment={p} />
                    <td>
                      {p.status === "refunded"
                        ? "Closed as refunded: nothing credited"
                        : p.bonusWithheld
                          ? "Credited: Gold Coins only"
                          : "Credited"}
                      <div className="muted small">{p.reason}</div>
                    </td>
                    <td>
                      {p.reviewerEmail ?? "–"}
                      <div className="muted small">{p.reviewReason}</div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
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
                <td>
                  <DateTime value={t.at} />
                </td>
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
