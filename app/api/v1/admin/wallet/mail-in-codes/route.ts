import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { mailInCodesResponse } from "@/lib/api/wallet";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { issueMailInCodes } from "@/lib/wallet/free-coins";
import { formatCoins, mailInIssueSchema } from "@/lib/wallet/model";

/** Issues mail-in codes `{ count, amount, note }`: the answer is the only time they are shown. */
export const POST = apiRoute(async (request) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const input = mailInIssueSchema.parse(await readJson(request));
  const { codes, amount } = await issueMailInCodes(getDb(), {
    adminId: admin.id,
    ...input,
    context: { ...requestContext(request), tokenId: admin.tokenId },
  });
  return respond(
    mailInCodesResponse,
    { codes, amount: formatCoins(amount) },
    { status: 201, headers: { "cache-control": "no-store" } },
  );
});
