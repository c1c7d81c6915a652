import { getDb } from "@/db/client";
import { catalogItemResponse } from "@/lib/api/catalog";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { updateCatalogItem } from "@/lib/catalog/catalog";
import { updateCatalogItemSchema } from "@/lib/catalog/model";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

/** Edits an item; `retired: true|false` takes it off sale or puts it back. */
export const PATCH = apiRoute<{ params: Promise<{ id: string }> }>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const { id } = await context.params;
  const input = updateCatalogItemSchema.parse(await readJson(request));
  const item = await updateCatalogItem(getDb(), id, input, {
    ...requestContext(request),
    actorId: admin.id,
    tokenId: admin.tokenId,
  });
  return respond(catalogItemResponse, item);
});
