import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { coinPackagesResponse, toCoinPackageView } from "@/lib/api/wallet";
import { apiRoute } from "@/lib/http/api-handler";
import { listCoinPackages } from "@/lib/payments/purchases";

export const GET = apiRoute(async () =>
  respond(coinPackagesResponse, {
    packages: (await listCoinPackages(getDb())).map(toCoinPackageView),
  }),
);
