import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { signUp } from "@/lib/auth/sign-up";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

export const POST = apiRoute(async (request) => {
  const user = await signUp(getDb(), await readJson(request), requestContext(request));
  return NextResponse.json({ id: user.id, email: user.email, role: user.role }, { status: 201 });
});
