import { NextResponse } from "next/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { recordEvent } from "@/lib/audit/record-event";
import { authenticate } from "@/lib/auth/accounts";
import { issueApiToken } from "@/lib/auth/api-tokens";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

const schema = z.object({
  email: z.string().max(254),
  password: z.string().max(200),
  otp: z.string().max(20).optional(),
  name: z.string().trim().max(60).optional(),
});

export const POST = apiRoute(async (request) => {
  const input = schema.parse(await readJson(request));
  const db = getDb();
  const user = await authenticate(db, input.email, input.password);
  await recordEvent(db, {
    ...requestContext(request),
    actorId: user?.id ?? null,
    action: "token_create",
    outcome: user ? "ok" : "refused",
    reason: user ? null : "invalid_credentials",
  });
  if (!user) throw new AppError("invalid_credentials", "Wrong email or password");
  const { token, expiresAt } = await issueApiToken(db, user.id, input.name ?? "api");
  return NextResponse.json(
    { token, tokenType: "Bearer", expiresAt: expiresAt.toISOString(), role: user.role },
    { status: 201 },
  );
});
