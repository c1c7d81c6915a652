import { getDb } from "@/db/client";
import { regulatorReportResponse } from "@/lib/api/reports";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";
import { regulatorReportQuery } from "@/lib/reports/model";
import { regulatorReport, regulatorReportCsv } from "@/lib/reports/regulator-report";

/** The regulator's report: JSON, or with `format=csv` the same figures as a CSV download. */
export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin", "auditor");
  const { format, ...range } = regulatorReportQuery.parse(
    Object.fromEntries(new URL(request.url).searchParams),
  );
  const report = await regulatorReport(getDb(), range);
  if (format === "csv") {
    return new Response(regulatorReportCsv(report), {
      headers: {
        "content-type": "text/csv; charset=utf-8; header=present",
        "content-disposition": `attachment; filename="regulator-report-${range.from}-${range.to}.csv"`,
        "cache-control": "no-store",
      },
    });
  }
  return respond(regulatorReportResponse, report, { headers: { "cache-control": "no-store" } });
});
