import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { walletLinkResponse, walletLinkStateResponse } from "@/lib/api/wallet-link";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { getWalletLink, linkSite, linkWallet, unlinkWallet } from "@/lib/payouts/link-wallet";
import { linkWalletSchema } from "@/lib/payouts/model";

export const GET = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  return respond(walletLinkStateResponse, { wallet: await getWalletLink(getDb(), player.id) });
});

export const PUT = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const input = linkWalletSchema.parse(await readJson(request));
  const link = await linkWallet(
    getDb(),
    { ...requestContext(request), userId: player.id, tokenId: player.tokenId },
    input,
    linkSite(request.url),
    new Date(),
  );
  return respond(walletLinkResponse, link);
});

export const DELETE = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  await unlinkWallet(
    getDb(),
    { ...requestContext(request), userId: player.id, tokenId: player.tokenId },
    new Date(),
  );
  return new NextResponse(null, { status: 204 });
});
