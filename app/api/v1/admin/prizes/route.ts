import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { createPrizeSchema } from "@/lib/prizes/model";
import { createPrize, listPrizes } from "@/lib/prizes/prizes";

export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin");
  return NextResponse.json({ prizes: await listPrizes(getDb()) });
});

export const POST = apiRoute(async (request) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const input = createPrizeSchema.parse(await readJson(request));
  const prize = await createPrize(getDb(), input, {
    ...requestContext(request),
    actorId: admin.id,
  });
  return NextResponse.json(prize, { status: 201 });
});
