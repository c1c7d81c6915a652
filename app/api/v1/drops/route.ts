import { getDb } from "@/db/client";
import { openDropsResponse } from "@/lib/api/drops";
import { respond } from "@/lib/api/respond";
import { listOpenDrops } from "@/lib/drops/drops";
import { apiRoute } from "@/lib/http/api-handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async () => {
  return respond(openDropsResponse, await listOpenDrops(getDb()), {
    headers: { "cache-control": "no-store" },
  });
});
