import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { verifyEmailBody } from "@/lib/api/accounts";
import { verifyEmail } from "@/lib/auth/email-verification";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

/** Confirms an address with the token from the verification mail (for clients without a browser). */
export const POST = apiRoute(async (request) => {
  const { token } = verifyEmailBody.parse(await readJson(request));
  await verifyEmail(getDb(), token, requestContext(request));
  return new NextResponse(null, { status: 204 });
});
