import { getDb } from "@/db/client";
import { catalogResponse } from "@/lib/api/catalog";
import { respond } from "@/lib/api/respond";
import { createdResponse } from "@/lib/api/wire";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { createCatalogItem, listCatalogItems } from "@/lib/catalog/catalog";
import { createCatalogItemSchema } from "@/lib/catalog/model";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin");
  return respond(catalogResponse, {
    items: await listCatalogItems(getDb(), { includeRetired: true }),
  });
});

export const POST = apiRoute(async (request) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const input = createCatalogItemSchema.parse(await readJson(request));
  const item = await createCatalogItem(getDb(), input, {
    ...requestContext(request),
    actorId: admin.id,
    tokenId: admin.tokenId,
  });
  return respond(createdResponse, item, { status: 201 });
});
