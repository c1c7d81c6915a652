import { z } from "zod";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute } from "@/lib/http/api-handler";
import { statementAnswer } from "@/lib/wallet/statement-response";

/** Any player's statement, as the player sees their own. */
export const GET = apiRoute<{ params: Promise<{ userId: string }> }>(async (request, context) => {
  requireRole(await apiCaller(request), "admin");
  const { userId } = await context.params;
  if (!z.uuid().safeParse(userId).success) throw new AppError("not_found", "No such player");
  return statementAnswer(request, userId);
});
