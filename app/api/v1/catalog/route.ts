import { getDb } from "@/db/client";
import { catalogResponse } from "@/lib/api/catalog";
import { respond } from "@/lib/api/respond";
import { listCatalogItems } from "@/lib/catalog/catalog";
import { apiRoute } from "@/lib/http/api-handler";

export const GET = apiRoute(async () =>
  respond(catalogResponse, { items: await listCatalogItems(getDb()) }),
);
