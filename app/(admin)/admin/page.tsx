import type { Metadata } from "next";
import Link from "next/link";
import { setDropPausedAction } from "@/app/(admin)/actions";
import { LiveDropsTable } from "@/components/admin/live-drops-table";
import { LivePrizesTable } from "@/components/admin/live-prizes-table";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { listAllDrops } from "@/lib/drops/drops";
import { listPrizes } from "@/lib/prizes/prizes";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  await requirePageRole("/admin", "admin");
  const db = getDb();
  const [prizes, drops] = await Promise.all([listPrizes(db), listAllDrops(db)]);
  return (
    <>
      <div className="row">
        <h1>Admin</h1>
        <span className="spacer" />
        <Link className="button secondary" href="/admin/analytics">
          Live analytics
        </Link>
        <Link className="button secondary" href="/admin/accounts">
          Accounts
        </Link>
        <Link className="button secondary" href="/admin/redemptions">
          Redemptions
        </Link>
        <Link className="button secondary" href="/admin/jobs">
          Jobs and deliveries
        </Link>
        <Link className="button secondary" href="/admin/audit">
          Audit trail
        </Link>
        <Link className="button secondary" href="/admin/wallet">
          Wallet
        </Link>
        <Link className="button secondary" href="/admin/regions">
          Excluded regions
        </Link>
        <Link className="button secondary" href="/admin/webhooks">
          Webhooks
        </Link>
        <Link className="button secondary" href="/admin/catalog">
          Catalog
        </Link>
        <Link className="button secondary" href="/admin/reports/regulator">
          Regulator report
        </Link>
        <Link className="button" href="/admin/prizes">
          New prize
        </Link>
        <Link className="button" href="/admin/drops">
          New drop
        </Link>
      </div>
      <h2>Drops</h2>
      <LiveDropsTable initial={drops} pauseAction={setDropPausedAction} />
      <h2>Prizes</h2>
      <LivePrizesTable initial={prizes} />
    </>
  );
}
