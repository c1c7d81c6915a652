import "server-only";
import type { DbOrTx } from "@/db/client";
import { codePoolStats, type ImportReport } from "@/lib/codes/import-codes";

/**
 * The audit data of a gift-code import: the prize's pool before and after. "Before" is derived
 * from the import's own count, so it is read only once the import has validated the prize.
 */
export async function codeImportChange(db: DbOrTx, prizeId: string, report: ImportReport) {
  const after = await codePoolStats(db, prizeId);
  return {
    before: { total: after.total - report.accepted, unused: after.unused - report.accepted },
    after,
    accepted: report.accepted,
    rejected: report.rejected.length,
  };
}
