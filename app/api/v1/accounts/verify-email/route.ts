import { NextResponse } from "next/server";
import { z } from "zod";
import { getDb } from "@/db/client";
import { verifyEmail } from "@/lib/auth/email-verification";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

const bodySchema = z.object({ token: z.string().min(1).max(200) });

/** Confirms an address with the token from the verification mail (for clients without a browser). */
export const POST = apiRoute(async (request) => {
  const { token } = bodySchema.parse(await readJson(request));
  await verifyEmail(getDb(), token, requestContext(request));
  return new NextResponse(null, { status: 204 });
});
