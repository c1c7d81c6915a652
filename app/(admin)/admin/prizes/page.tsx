import type { Metadata } from "next";
import Link from "next/link";
import { PrizeForm } from "@/components/admin/prize-form";
import { requirePageRole } from "@/lib/auth/require-page-role";

export const metadata: Metadata = { title: "New prize" };

export default async function NewPrizePage() {
  await requirePageRole("/admin/prizes", "admin");
  return (
    <>
      <p className="small">
        <Link href="/admin">← Admin</Link>
      </p>
      <h1>New prize</h1>
      <p className="lead">A prize is stock; drops hand out units of it.</p>
      <PrizeForm />
    </>
  );
}
