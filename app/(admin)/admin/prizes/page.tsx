import type { Metadata } from "next";
import Link from "next/link";
import { createPrizeAction } from "@/app/(admin)/actions";
import { LivePrizesTable } from "@/components/admin/live-prizes-table";
import { PrizeForm } from "@/components/admin/prize-form";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { listPrizes } from "@/lib/prizes/prizes";

export const metadata: Metadata = { title: "Prizes" };

export default async function PrizesPage() {
  await requirePageRole("/admin/prizes", "admin");
  const prizes = await listPrizes(getDb());
  return (
    <>
      <p className="small">
        <Link href="/admin">← Admin</Link>
      </p>
      <h1>New prize</h1>
      <p className="lead">A prize is stock; drops hand out units of it.</p>
      <PrizeForm action={createPrizeAction} />
      <h2>All prizes</h2>
      <LivePrizesTable initial={prizes} />
    </>
  );
}
