import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { revokeApiToken } from "@/lib/auth/api-tokens";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, requestContext } from "@/lib/http/api-handler";

export const DELETE = apiRoute<{ params: Promise<{ id: string }> }>(async (request, { params }) => {
  const user = requireRole(await apiCaller(request), "player", "admin", "auditor");
  const { id } = await params;
  await revokeApiToken(getDb(), user.id, id, { ...requestContext(request), tokenId: user.tokenId });
  return new NextResponse(null, { status: 204 });
});
