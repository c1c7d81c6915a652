import { getDb } from "@/db/client";
import { claimAttemptsResponse } from "@/lib/api/claims";
import { respond } from "@/lib/api/respond";
import { listClaimAttempts } from "@/lib/audit/claim-attempts";
import { attemptsPageSchema } from "@/lib/audit/model";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";

/** The caller's own claim and lottery-entry attempts with the reason of each refusal. */
export const GET = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const query = Object.fromEntries(new URL(request.url).searchParams);
  return respond(
    claimAttemptsResponse,
    await listClaimAttempts(getDb(), player.id, attemptsPageSchema.parse(query)),
    { headers: { "cache-control": "no-store" } },
  );
});
