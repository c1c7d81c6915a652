import { getDb } from "@/db/client";
import { dropResponse } from "@/lib/api/drops";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { getDrop, updateDrop } from "@/lib/drops/drops";
import { updateDropSchema } from "@/lib/drops/model";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

type Context = { params: Promise<{ id: string }> };

export const GET = apiRoute<Context>(async (request, context) => {
  requireRole(await apiCaller(request), "admin");
  const drop = await getDrop(getDb(), (await context.params).id);
  if (!drop) throw new AppError("not_found", "No such drop");
  return respond(dropResponse, drop);
});

/** Edits a drop before its start; afterwards moves its end later, pauses, resumes or ends it. */
export const PATCH = apiRoute<Context>(async (request, context) => {
  const admin = requireRole(await apiCaller(request), "admin");
  const { id } = await context.params;
  const input = updateDropSchema.parse(await readJson(request));
  const drop = await updateDrop(getDb(), id, input, {
    ...requestContext(request),
    actorId: admin.id,
  });
  return respond(dropResponse, drop);
});
