import { getDb } from "@/db/client";
import { listAnchoredCheckpoints } from "@/lib/anchoring/public-log";
import { checkpointsResponse } from "@/lib/api/ledger";
import { respond } from "@/lib/api/respond";
import { apiRoute } from "@/lib/http/api-handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute(async () => {
  return respond(checkpointsResponse, {
    checkpoints: await listAnchoredCheckpoints(getDb()),
  });
});
