import { getDb } from "@/db/client";
import { changeAccount, getAccountDetail } from "@/lib/admin/manage-accounts";
import { accountChangeSchema } from "@/lib/admin/model";
import { accountDetailResponse } from "@/lib/api/admin-accounts";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

type Context = { params: Promise<{ id: string }> };

export const GET = apiRoute<Context>(async (request, context) => {
  requireRole(await apiCaller(request), "admin");
  const account = await getAccountDetail(getDb(), (await context.params).id);
  if (!account) throw new AppError("not_found", "No such account");
  return respond(accountDetailResponse, account);
});

/** Changes role, flag (with flaggedReason) and/or suspension (with suspendedReason). */
export const PATCH = apiRoute<Context>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const { id } = await context.params;
  const change = accountChangeSchema.parse(await readJson(request));
  const account = await changeAccount(getDb(), {
    ...requestContext(request),
    actorId: admin.id,
    accountId: id,
    change,
    tokenId: admin.tokenId,
  });
  return respond(accountDetailResponse, account);
});
