import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { recordEvent } from "@/lib/audit/record-event";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { createPrize, createPrizeSchema, listPrizes } from "@/lib/prizes/prizes";

export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin");
  return NextResponse.json({ prizes: await listPrizes(getDb()) });
});

export const POST = apiRoute(async (request) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const input = createPrizeSchema.parse(await readJson(request));
  const db = getDb();
  const prize = await createPrize(db, input);
  await recordEvent(db, {
    ...requestContext(request),
    actorId: admin.id,
    action: "prize_create",
    subject: `prize:${prize.id}`,
    outcome: "ok",
    data: { before: null, after: input },
  });
  return NextResponse.json(prize, { status: 201 });
});
