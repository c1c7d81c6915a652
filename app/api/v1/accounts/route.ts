import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { recordEvent } from "@/lib/audit/record-event";
import { createAccount, signUpSchema } from "@/lib/auth/accounts";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

export const POST = apiRoute(async (request) => {
  const input = signUpSchema.parse(await readJson(request));
  const db = getDb();
  const user = await createAccount(db, input);
  await recordEvent(db, {
    ...requestContext(request),
    actorId: user.id,
    action: "sign_up",
    subject: `user:${user.id}`,
    outcome: "ok",
  });
  return NextResponse.json({ id: user.id, email: user.email, role: user.role }, { status: 201 });
});
