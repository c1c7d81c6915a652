import { getDb } from "@/db/client";
import { healthResponse } from "@/lib/api/health";
import { respond } from "@/lib/api/respond";
import { env } from "@/lib/config/env";
import { withRequestId } from "@/lib/http/api-handler";
import { checkHealth } from "@/lib/http/health";

export const dynamic = "force-dynamic";

export const GET = withRequestId(async () => {
  const { health, httpStatus } = await checkHealth(getDb, env().LEDGER_RPC_URL);
  return respond(healthResponse, health, { status: httpStatus });
});
