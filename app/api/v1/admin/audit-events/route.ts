import { getDb } from "@/db/client";
import { auditEventsPageResponse } from "@/lib/api/audit";
import { respond } from "@/lib/api/respond";
import { exportFormatQuery } from "@/lib/api/wire";
import { auditCsvStream } from "@/lib/audit/csv";
import { auditFilterSchema, auditPageSchema } from "@/lib/audit/model";
import { eachAuditEvent, searchAuditEvents } from "@/lib/audit/search-events";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";

/**
 * Audit events matching the filters, newest first: a JSON page (`cursor` continues it), or with
 * `format=csv` every matching event as a CSV download, streamed as it is read.
 */
export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin", "auditor");
  const query = Object.fromEntries(new URL(request.url).searchParams);
  const { format } = exportFormatQuery.parse({ format: query.format || undefined });
  const filter = auditFilterSchema.parse(query);
  const db = getDb();
  if (format === "csv") {
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    return new Response(auditCsvStream(eachAuditEvent(db, filter)), {
      headers: {
        "content-type": "text/csv; charset=utf-8; header=present",
        "content-disposition": `attachment; filename="audit-events-${stamp}.csv"`,
        "cache-control": "no-store",
      },
    });
  }
  return respond(
    auditEventsPageResponse,
    await searchAuditEvents(db, filter, auditPageSchema.parse(query)),
    {
      headers: { "cache-control": "no-store" },
    },
  );
});
