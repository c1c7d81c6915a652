import type { Metadata } from "next";
import Link from "next/link";
import { createDropAction } from "@/app/(admin)/actions";
import { DropForm } from "@/components/admin/drop-form";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { env } from "@/lib/config/env";
import { listPrizes } from "@/lib/prizes/prizes";
import { prizeChoices } from "./prize-choices";

export const metadata: Metadata = { title: "New drop" };

export default async function NewDropPage() {
  await requirePageRole("/admin/drops", "admin");
  const prizes = await listPrizes(getDb());
  return (
    <>
      <p className="small">
        <Link href="/admin">← Admin</Link>
      </p>
      <h1>New drop</h1>
      <p className="lead">
        Units are taken from each prize's unallocated stock. Retired prizes are not offered.
      </p>
      <DropForm
        prizes={prizeChoices(prizes)}
        waitingRoomThreshold={env().WAITING_ROOM_THRESHOLD}
        action={createDropAction}
      />
    </>
  );
}
