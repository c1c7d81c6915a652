import { getDb } from "@/db/client";
import { ledgerEntryPath, ledgerEntryResponse } from "@/lib/api/ledger";
import { respond } from "@/lib/api/respond";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute } from "@/lib/http/api-handler";
import { getPublicEntry } from "@/lib/ledger/public-entry";

export const dynamic = "force-dynamic";

/** One public leaf, decoded and named, with its inclusion proof and anchoring. */
export const GET = apiRoute<{ params: Promise<{ index: string }> }>(async (_request, context) => {
  const params = await context.params;
  // Digits only: a number coerced from "", " 7" or "1e3" would name a leaf nobody asked for.
  const parsed = /^\d+$/.test(params.index) ? ledgerEntryPath.safeParse(params) : undefined;
  if (!parsed?.success) {
    throw new AppError("invalid_input", "The leaf index must be a whole number, from 0", {
      field: "index",
    });
  }
  const entry = await getPublicEntry(getDb(), parsed.data.index);
  if (!entry) throw new AppError("not_found", `The log has no leaf ${parsed.data.index} yet`);
  return respond(ledgerEntryResponse, entry, { headers: { "cache-control": "no-store" } });
});
