import { getDb } from "@/db/client";
import { dropReportCsv, dropReportSectionCsv, getDropReport } from "@/lib/analytics/drop-report";
import { dropReportQuery, dropReportResponse } from "@/lib/api/admin-drops";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";

type Context = { params: Promise<{ id: string }> };

/**
 * The post-drop report: JSON; with `format=csv` every section in one CSV download, or with
 * `section` too that section alone, as a file of its own.
 */
export const GET = apiRoute<Context>(async (request, context) => {
  requireRole(await apiCaller(request), "admin", "auditor");
  const { id } = await context.params;
  const search = new URL(request.url).searchParams;
  const query = dropReportQuery.parse({
    format: search.get("format") || undefined,
    section: search.get("section") || undefined,
  });
  const report = await getDropReport(getDb(), id);
  if (query.format === "csv") {
    const name = `drop-report-${report.drop.id}${query.section ? `-${query.section}` : ""}`;
    const csv = query.section ? dropReportSectionCsv(report, query.section) : dropReportCsv(report);
    return new Response(csv, {
      headers: {
        "content-type": "text/csv; charset=utf-8; header=present",
        "content-disposition": `attachment; filename="${name}.csv"`,
        "cache-control": "no-store",
      },
    });
  }
  return respond(dropReportResponse, report, { headers: { "cache-control": "no-store" } });
});
