"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { getDb } from "@/db/client";
import { codeImportChange } from "@/lib/admin/code-import-change";
import { recordEvent } from "@/lib/audit/record-event";
import { currentUser, needsTwoFactor } from "@/lib/auth/current-user";
import { type ImportRejection, type ImportReport, importGiftCodes } from "@/lib/codes/import-codes";
import { isAppError } from "@/lib/errors/app-error";
import { clientInfo } from "@/lib/http/client-info";

/** The rejected lines the page lists; the count covers them all. */
const REJECTIONS_SHOWN = 500;

export type CodeImportState = {
  error?: string;
  fieldErrors?: { csv?: string };
  report?: {
    accepted: number;
    total: number;
    rejectedCount: number;
    rejected: ImportRejection[];
  };
};

async function csvFrom(form: FormData): Promise<string> {
  const file = form.get("file");
  if (file instanceof File && file.size > 0) return file.text();
  return String(form.get("csv") ?? "");
}

export async function importCodesAction(
  prizeId: string,
  _prev: CodeImportState,
  form: FormData,
): Promise<CodeImportState> {
  const admin = await currentUser();
  // As on the admin pages and API: an admin acts as one only with two-factor on.
  if (admin?.role !== "admin" || needsTwoFactor(admin)) {
    return { error: "Only admins with two-factor on can import gift codes" };
  }
  const csv = await csvFrom(form);
  if (csv.trim() === "") return { fieldErrors: { csv: "Choose a CSV file or paste codes" } };
  const db = getDb();
  let report: ImportReport;
  try {
    report = await importGiftCodes(db, prizeId, csv);
  } catch (error) {
    if (isAppError(error) && error.code === "invalid_input") {
      return error.details?.field === "csv"
        ? { fieldErrors: { csv: error.message } }
        : { error: error.message };
    }
    throw error;
  }
  await recordEvent(db, {
    ...clientInfo(await headers()),
    actorId: admin.id,
    action: "gift_codes_import",
    subject: `prize:${prizeId}`,
    outcome: "ok",
    data: await codeImportChange(db, prizeId, report),
  });
  revalidatePath(`/admin/prizes/${prizeId}`);
  return {
    report: {
      accepted: report.accepted,
      total: report.total,
      rejectedCount: report.rejected.length,
      rejected: report.rejected.slice(0, REJECTIONS_SHOWN),
    },
  };
}
