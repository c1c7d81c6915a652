import { ledgerIdentityResponse } from "@/lib/api/ledger";
import { respond } from "@/lib/api/respond";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute } from "@/lib/http/api-handler";
import { identityFromEnv } from "@/lib/ledger/configured-identity";
import { LedgerIdentityError } from "@/lib/ledger/identity";

export const dynamic = "force-dynamic";

/**
 * The operator's ledger identity, also served at /.well-known/prizeledger.json (next.config.js).
 * Any origin may read it: another operator's /verify page fetches it from the auditor's browser.
 */
export const GET = apiRoute(async () => {
  let identity: ReturnType<typeof identityFromEnv>;
  try {
    identity = identityFromEnv(env());
  } catch (error) {
    // Only a development or test process runs without one (npm run web requires it).
    if (error instanceof LedgerIdentityError) throw new AppError("not_found", error.message);
    throw error;
  }
  return respond(ledgerIdentityResponse, identity, {
    headers: { "access-control-allow-origin": "*", "cache-control": "public, max-age=60" },
  });
});
