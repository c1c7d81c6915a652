import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { createDrop, listAllDrops } from "@/lib/drops/drops";
import { createDropSchema } from "@/lib/drops/model";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

export const GET = apiRoute(async (request) => {
  requireRole(await apiCaller(request), "admin");
  return NextResponse.json({ drops: await listAllDrops(getDb()) });
});

export const POST = apiRoute(async (request) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const input = createDropSchema.parse(await readJson(request));
  const drop = await createDrop(getDb(), input, { ...requestContext(request), actorId: admin.id });
  return NextResponse.json(drop, { status: 201 });
});
