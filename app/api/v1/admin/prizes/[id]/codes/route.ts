import { NextResponse } from "next/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { recordEvent } from "@/lib/audit/record-event";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { MAX_CSV_BYTES } from "@/lib/codes/code-rules";
import { importGiftCodes } from "@/lib/codes/import-codes";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute, requestContext } from "@/lib/http/api-handler";

const jsonBody = z.object({ csv: z.string() });

/** The body as text, refused as soon as it outgrows what any acceptable file could need. */
async function readBody(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length"));
  if (declared > maxBytes) throw new AppError("bad_request", "Request body is too large");
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > maxBytes) throw new AppError("bad_request", "Request body is too large");
      chunks.push(chunk);
    }
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Imports gift codes from `text/csv` (or JSON `{csv}`) into a gift-card prize's pool. */
export const POST = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const { id } = await context.params;
  // JSON escapes every newline, so its body may run past the CSV's own limit.
  const body = await readBody(request, 2 * MAX_CSV_BYTES);
  const isJson = /^application\/(.+\+)?json\b/i.test(request.headers.get("content-type") ?? "");
  let csv = body;
  if (isJson) {
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
    data: { accepted: report.accepted, rejected: report.rejected.length },
  });
  return NextResponse.json(report, { status: 201 });
});
