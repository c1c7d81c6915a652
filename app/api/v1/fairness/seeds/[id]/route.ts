import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { publicSeedResponse } from "@/lib/api/rounds";
import { AppError } from "@/lib/errors/app-error";
import { getPublicSeed } from "@/lib/fairness/seeds";
import { apiRoute } from "@/lib/http/api-handler";

/** Public: anyone checks a seed's commitment leaf, and once revealed replays its rounds. */
export const GET = apiRoute<{ params: Promise<{ id: string }> }>(async (_request, context) => {
  const seed = await getPublicSeed(getDb(), (await context.params).id);
  if (!seed) throw new AppError("not_found", "No such seed");
  return respond(publicSeedResponse, seed, {
    headers: { "access-control-allow-origin": "*", "cache-control": "no-store" },
  });
});
