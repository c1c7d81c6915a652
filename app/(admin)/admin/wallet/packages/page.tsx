import type { Metadata } from "next";
import Link from "next/link";
import { createCoinPackageAction, setCoinPackageRetiredAction } from "@/app/(admin)/actions";
import { CoinPackageForm } from "@/components/wallet/coin-package-form";
import styles from "@/components/wallet/wallet.module.css";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { listAllCoinPackages } from "@/lib/payments/coin-packages";
import { formatCents } from "@/lib/payments/model";
import { formatCoins } from "@/lib/wallet/model";

export const metadata: Metadata = { title: "Coin packages" };

export default async function CoinPackagesPage() {
  await requirePageRole("/admin/wallet/packages", "admin");
  const packages = await listAllCoinPackages(getDb());
  return (
    <>
      <p className="small">
        <Link href="/admin/wallet">← Wallet</Link>
      </p>
      <h1>Coin packages</h1>
      <p className="lead">
        What players can buy. A retired package leaves the shop; payments already started still
        credit what was paid for.
      </p>
      <div className={styles.scroll}>
        <table data-testid="coin-packages">
          <thead>
            <tr>
              <th>Package</th>
              <th className={styles.num}>Price</th>
              <th className={styles.num}>GC</th>
              <th className={styles.num}>Free SC</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {packages.map((p) => (
              <tr key={p.id} data-testid="coin-package-row">
                <td>
                  {p.name} {p.retiredAt && <span className="badge ended">retired</span>}
                </td>
                <td className={styles.num}>${formatCents(p.priceCents)}</td>
                <td className={styles.num}>{formatCoins(p.gc)}</td>
                <td className={styles.num}>{formatCoins(p.bonusSc)}</td>
                <td>
                  <form action={setCoinPackageRetiredAction.bind(null, p.id, !p.retiredAt)}>
                    <button type="submit" className="secondary">
                      {p.retiredAt ? "Put back on sale" : "Retire"}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <CoinPackageForm action={createCoinPackageAction} />
    </>
  );
}
