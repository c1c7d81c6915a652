import { getDb } from "@/db/client";
import { importCodesBody, importReportResponse } from "@/lib/api/admin-prizes";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { importGiftCodes } from "@/lib/codes/import-codes";
import { MAX_CSV_BYTES } from "@/lib/codes/model";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute, isJsonContentType, readBody, requestContext } from "@/lib/http/api-handler";

/** Imports gift codes from `text/csv` (or JSON `{csv}`) into a gift-card prize's pool. */
export const POST = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const { id } = await context.params;
  // JSON escapes every newline, so its body may run past the CSV's own limit.
  const body = await readBody(request, 2 * MAX_CSV_BYTES);
  let csv = body;
  if (isJsonContentType(request)) {
    try {
      csv = importCodesBody.parse(JSON.parse(body)).csv;
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new AppError("bad_request", "Request body is not valid JSON");
      }
      throw error;
    }
  }
  const report = await importGiftCodes(getDb(), id, csv, {
    ...requestContext(request),
    actorId: admin.id,
  });
  return respond(importReportResponse, report, { status: 201 });
});
