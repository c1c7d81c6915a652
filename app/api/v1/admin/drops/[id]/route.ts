import { NextResponse } from "next/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { recordEvent } from "@/lib/audit/record-event";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { getDrop, setDropPaused } from "@/lib/drops/drops";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

type Context = { params: Promise<{ id: string }> };

async function dropOr404(id: string) {
  const drop = await getDrop(getDb(), id);
  if (!drop) throw new AppError("not_found", "No such drop");
  return drop;
}

export const GET = apiRoute<Context>(async (request, context) => {
  requireRole(await apiCaller(request), "admin");
  return NextResponse.json(await dropOr404((await context.params).id));
});

const patchSchema = z.object({ paused: z.boolean() }).strict();

export const PATCH = apiRoute<Context>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const { id } = await context.params;
  const before = await dropOr404(id);
  const { paused } = patchSchema.parse(await readJson(request));
  const db = getDb();
  await setDropPaused(db, id, paused);
  const after = await dropOr404(id);
  await recordEvent(db, {
    ...requestContext(request),
    actorId: admin.id,
    action: paused ? "drop_pause" : "drop_resume",
    subject: `drop:${id}`,
    outcome: "ok",
    data: { before: { status: before.status }, after: { status: after.status } },
  });
  return NextResponse.json(after);
});
