import { NextResponse } from "next/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { createApiTokenWithPassword, listApiTokens } from "@/lib/auth/api-tokens";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { tokenOptionsSchema } from "@/lib/auth/model";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

const schema = tokenOptionsSchema.extend({
  email: z.string().max(254),
  password: z.string().max(200),
  otp: z.string().max(40).optional(),
});

export const POST = apiRoute(async (request) => {
  const { email, password, otp, ...options } = schema.parse(await readJson(request));
  const issued = await createApiTokenWithPassword(
    getDb(),
    { email, password, otp },
    options,
    requestContext(request),
  );
  return NextResponse.json(
    {
      token: issued.token,
      tokenType: "Bearer",
      id: issued.id,
      name: issued.name,
      expiresAt: issued.expiresAt.toISOString(),
      role: issued.role,
    },
    { status: 201 },
  );
});

export const GET = apiRoute(async (request) => {
  const user = requireRole(await apiCaller(request), "player", "admin", "auditor");
  const tokens = await listApiTokens(getDb(), user.id);
  return NextResponse.json({ tokens });
});
