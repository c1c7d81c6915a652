import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import {
  buyPackageAction,
  claimDailyBonusAction,
  redeemMailInAction,
} from "@/app/(player)/actions";
import { BuyPackageButton } from "@/components/wallet/buy-package-button";
import { DailyBonusForm, MailInForm } from "@/components/wallet/free-coins-forms";
import { RefreshOnWalletMove } from "@/components/wallet/refresh-on-wallet-move";
import { StatementView } from "@/components/wallet/statement-view";
import styles from "@/components/wallet/wallet.module.css";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { env } from "@/lib/config/env";
import { formatCents, paymentStatusLabels } from "@/lib/payments/model";
import { getPlayerPurchase, listCoinPackages } from "@/lib/payments/purchases";
import { readSweepsStanding } from "@/lib/wallet/free-coins";
import { formatCoins, statementQueryOf } from "@/lib/wallet/model";
import { listStatement } from "@/lib/wallet/statement";
import { getBalances } from "@/lib/wallet/wallet";

export const metadata: Metadata = { title: "Wallet" };

type Search = Record<string, string | string[] | undefined>;

export default async function WalletPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePageRole("/wallet", "player");
  const search = await searchParams;
  const { filter, page } = statementQueryOf(search);
  const db = getDb();
  const purchaseId = z.uuid().safeParse(search.purchase);
  const [balances, standing, packages, statement, returned] = await Promise.all([
    getBalances(db, user.id),
    readSweepsStanding(db, user.id, { lock: false }),
    listCoinPackages(db),
    listStatement(db, user.id, filter, page),
    purchaseId.success ? getPlayerPurchase(db, user.id, purchaseId.data) : undefined,
  ]);
  return (
    <>
      <RefreshOnWalletMove />
      <h1>Wallet</h1>
      <p className="lead">
        Gold Coins are for play only. Sweeps Coins are won or given free and, once played through,
        redeemable for prizes.
      </p>
      {returned && (
        <p
          className={`alert ${returned.status === "succeeded" ? "success" : returned.status === "pending" ? "info" : "error"}`}
          role="status"
          data-testid="purchase-status"
        >
          {returned.packageName} (${formatCents(returned.amountCents)}):{" "}
          {paymentStatusLabels[returned.status as keyof typeof paymentStatusLabels]}
          {returned.bonusWithheld && " (Gold Coins only: no free SC in your region)"}
        </p>
      )}
      <section className={`card ${styles.balances}`} aria-label="Balances">
        {(
          [
            ["Gold Coins", balances.GC, "wallet-gc"],
            ["Sweeps Coins", balances.SC, "wallet-sc"],
            ["Redeemable Sweeps Coins", balances.redeemableSC, "wallet-redeemable"],
          ] as const
        ).map(([label, amount, testId]) => (
          <div key={testId}>
            <div className="muted small">{label}</div>
            <div className={styles.figure} data-testid={testId}>
              {formatCoins(amount)}
            </div>
          </div>
        ))}
      </section>

      <h2>Buy Gold Coins</h2>
      {!standing.sweepsOpen && packages.some((p) => p.bonusSc > 0) && (
        <p className="alert info" role="note" data-testid="bonus-withheld-note">
          {standing.region ? (
            "Sweeps Coins are not open in your region: a package credits its Gold Coins only, without the free SC."
          ) : (
            <>
              You have not declared your region: a package credits its Gold Coins only, without the
              free SC. <Link href="/account">Declare your region</Link> to receive it.
            </>
          )}
        </p>
      )}
      <div className={styles.packages}>
        {packages.map((p) => (
          <div key={p.id} className="card stack" data-testid="coin-package">
            <h3>{p.name}</h3>
            <p>
              <strong>{formatCoins(p.gc)} GC</strong>
              {p.bonusSc > 0 &&
                (standing.sweepsOpen ? (
                  <> + {formatCoins(p.bonusSc)} free SC</>
                ) : (
                  <span className="muted"> (no free SC in your region)</span>
                ))}
            </p>
            <BuyPackageButton
              label={p.name}
              price={formatCents(p.priceCents)}
              action={buyPackageAction.bind(null, p.id)}
            />
          </div>
        ))}
      </div>

      <h2>Free Sweeps Coins</h2>
      <p className="small muted">
        No purchase necessary: claim free SC once a day, or redeem a mail-in code. Free SC must be
        played through once before it can be redeemed.
      </p>
      <div className="grid two">
        <div className="card">
          <DailyBonusForm action={claimDailyBonusAction} amount={formatCoins(env().DAILY_SC)} />
        </div>
        <div className="card">
          <MailInForm action={redeemMailInAction} />
        </div>
      </div>

      <h2>Statement</h2>
      <StatementView
        lines={statement.lines}
        nextCursor={statement.nextCursor}
        filter={filter}
        path="/wallet"
        csvUrl="/api/v1/wallet/statement"
      />
    </>
  );
}
