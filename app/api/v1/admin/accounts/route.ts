import { getDb } from "@/db/client";
import { searchAccounts } from "@/lib/admin/manage-accounts";
import { accountSearchSchema } from "@/lib/admin/model";
import { accountsPageResponse } from "@/lib/api/admin-accounts";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute } from "@/lib/http/api-handler";

/** Accounts matching `q` (email or name), role, flagged, suspended; `after` continues a page. */
export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin");
  const query = Object.fromEntries(new URL(request.url).searchParams);
  return respond(
    accountsPageResponse,
    await searchAccounts(getDb(), accountSearchSchema.parse(query)),
  );
});
