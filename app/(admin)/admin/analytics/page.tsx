import type { Metadata } from "next";
import Link from "next/link";
import { LiveDashboard } from "@/components/analytics/live-dashboard";
import { getDb } from "@/db/client";
import { getDashboard } from "@/lib/analytics/dashboard";
import { requirePageRole } from "@/lib/auth/require-page-role";

export const metadata: Metadata = { title: "Live analytics" };

export default async function AnalyticsPage() {
  const user = await requirePageRole("/admin/analytics", "admin", "auditor");
  const snapshot = await getDashboard(getDb());
  return (
    <>
      {user.role === "admin" && (
        <p className="small">
          <Link href="/admin">← Admin</Link>
        </p>
      )}
      <LiveDashboard initial={snapshot} adminLinks={user.role === "admin"} />
    </>
  );
}
