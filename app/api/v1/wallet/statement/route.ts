import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";
import { statementAnswer } from "@/lib/wallet/statement-response";

/** The caller's postings, newest first (`cursor` continues), or with `format=csv` all of them. */
export const GET = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  return statementAnswer(request, player.id);
});
