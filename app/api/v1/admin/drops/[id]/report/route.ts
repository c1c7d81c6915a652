import { getDb } from "@/db/client";
import { dropReportCsv, getDropReport } from "@/lib/analytics/drop-report";
import { dropReportResponse } from "@/lib/api/admin-drops";
import { respond } from "@/lib/api/respond";
import { exportFormatQuery } from "@/lib/api/wire";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";

type Context = { params: Promise<{ id: string }> };

/** The post-drop report: JSON, or with `format=csv` the same figures as a CSV download. */
export const GET = apiRoute<Context>(async (request, context) => {
  requireRole(await apiCaller(request), "admin", "auditor");
  const { id } = await context.params;
  const format = new URL(request.url).searchParams.get("format");
  const query = exportFormatQuery.parse({ format: format || undefined });
  const report = await getDropReport(getDb(), id);
  if (query.format === "csv") {
    return new Response(dropReportCsv(report), {
      headers: {
        "content-type": "text/csv; charset=utf-8; header=present",
        "content-disposition": `attachment; filename="drop-report-${report.drop.id}.csv"`,
        "cache-control": "no-store",
      },
    });
  }
  return respond(dropReportResponse, report, { headers: { "cache-control": "no-store" } });
});
