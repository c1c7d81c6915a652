import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DropReportDownloads, DropReportView } from "@/components/analytics/drop-report-view";
import { DateTime } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { getDropReport } from "@/lib/analytics/drop-report";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { AppError } from "@/lib/errors/app-error";
import { requestViewer } from "@/lib/http/request-viewer";

export const metadata: Metadata = { title: "Drop report" };

export default async function DropReportPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requirePageRole(`/admin/drops/${id}/report`, "admin", "auditor");
  const report = await getDropReport(getDb(), id).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  });
  const { drop } = report;
  return (
    <>
      <p className="small">
        {user.role === "admin" ? (
          <>
            <Link href="/admin">← Admin</Link> ·{" "}
            <Link href={`/admin/drops/${id}`}>Manage the drop</Link>
          </>
        ) : (
          <Link href="/admin/analytics">← Live analytics</Link>
        )}
      </p>
      <h1>{drop.title}</h1>
      <p className="lead">
        Post-drop report · {drop.allocation === "lottery" ? "lottery" : "first come"} ·{" "}
        <DateTime value={drop.startsAt} /> → <DateTime value={drop.endedEarlyAt ?? drop.endsAt} />
        {drop.endedEarlyAt && " (ended early)"} · generated <DateTime value={report.generatedAt} />
      </p>
      <DropReportDownloads dropId={drop.id} />
      <DropReportView
        report={report}
        linkAccounts={user.role === "admin"}
        timeZone={(await requestViewer()).timeZone}
      />
    </>
  );
}
