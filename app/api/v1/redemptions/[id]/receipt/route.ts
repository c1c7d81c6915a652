import { getDb } from "@/db/client";
import { receiptQuery, receiptResponse } from "@/lib/api/redemptions";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute } from "@/lib/http/api-handler";
import { getReceiptForAudit } from "@/lib/redemptions/audit-receipt";
import { getReceipt } from "@/lib/redemptions/redemptions";

// A player reads their own receipts; an auditor reads anyone's (this route only reads).
export const GET = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const caller = requireRole(await apiCaller(request), "player", "auditor");
  const kind = receiptQuery.shape.kind.safeParse(
    new URL(request.url).searchParams.get("kind") ?? undefined,
  );
  if (!kind.success) {
    throw new AppError("invalid_input", "kind is redemption, reversal or delivery", {
      field: "kind",
    });
  }
  const { id } = await context.params;
  const receipt =
    caller.role === "auditor"
      ? await getReceiptForAudit(getDb(), id, kind.data)
      : await getReceipt(getDb(), caller.id, id, kind.data);
  if (!receipt) {
    throw new AppError(
      "not_found",
      kind.data === "reversal"
        ? "No reversal of such a redemption"
        : kind.data === "delivery"
          ? "No delivery outcome of such a redemption in the log yet"
          : "No such redemption",
    );
  }
  return respond(receiptResponse, receipt, { headers: { "cache-control": "no-store" } });
});
