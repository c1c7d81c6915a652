import { getDb } from "@/db/client";
import { healthResponse } from "@/lib/api/health";
import { respond } from "@/lib/api/respond";
import { env } from "@/lib/config/env";
import { withRequestId } from "@/lib/http/api-handler";
import { sharedHealthCheck } from "@/lib/http/health";

export const dynamic = "force-dynamic";

/** Made on the first request: the environment is read at run time, not while building. */
let healthCheck: ReturnType<typeof sharedHealthCheck> | undefined;

export const GET = withRequestId(async () => {
  healthCheck ??= sharedHealthCheck(getDb, env().LEDGER_RPC_URL);
  const { health, httpStatus } = await healthCheck();
  return respond(healthResponse, health, { status: httpStatus });
});
