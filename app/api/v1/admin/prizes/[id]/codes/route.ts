import { NextResponse } from "next/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { codeImportChange } from "@/lib/admin/code-import-change";
import { recordEvent } from "@/lib/audit/record-event";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { importGiftCodes } from "@/lib/codes/import-codes";
import { MAX_CSV_BYTES } from "@/lib/codes/model";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute, isJsonContentType, readBody, requestContext } from "@/lib/http/api-handler";

const jsonBody = z.object({ csv: z.string() });

/** Imports gift codes from `text/csv` (or JSON `{csv}`) into a gift-card prize's pool. */
export const POST = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const { id } = await context.params;
  // JSON escapes every newline, so its body may run past the CSV's own limit.
  const body = await readBody(request, 2 * MAX_CSV_BYTES);
  let csv = body;
  if (isJsonContentType(request)) {
    try {
      csv = jsonBody.parse(JSON.parse(body)).csv;
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new AppError("bad_request", "Request body is not valid JSON");
      }
      throw error;
    }
  }
  const db = getDb();
  const report = await importGiftCodes(db, id, csv);
  await recordEvent(db, {
    ...requestContext(request),
    actorId: admin.id,
    action: "gift_codes_import",
    subject: `prize:${id}`,
    outcome: "ok",
    data: await codeImportChange(db, id, report),
  });
  return NextResponse.json(report, { status: 201 });
});
