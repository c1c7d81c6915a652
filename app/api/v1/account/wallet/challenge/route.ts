import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { linkChallengeResponse } from "@/lib/api/wallet-link";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson } from "@/lib/http/api-handler";
import { createLinkChallenge, linkSite } from "@/lib/payouts/link-wallet";
import { linkChallengeSchema } from "@/lib/payouts/model";

export const POST = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const { address } = linkChallengeSchema.parse(await readJson(request));
  const challenge = await createLinkChallenge(
    getDb(),
    { userId: player.id },
    address,
    linkSite(request.url),
    new Date(),
  );
  return respond(linkChallengeResponse, challenge, { status: 201 });
});
