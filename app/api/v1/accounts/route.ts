import { getDb } from "@/db/client";
import { recordSignals, sessionSignals } from "@/lib/abuse/account-links";
import { requestSignals } from "@/lib/abuse/request-signals";
import { signUpResponse } from "@/lib/api/accounts";
import { respond } from "@/lib/api/respond";
import { signUp } from "@/lib/auth/sign-up";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

export const POST = apiRoute(async (request) => {
  const user = await signUp(getDb(), await readJson(request), requestContext(request));
  await recordSignals(getDb(), sessionSignals(user.id, requestSignals(request.headers)));
  return respond(
    signUpResponse,
    { id: user.id, email: user.email, role: user.role },
    { status: 201 },
  );
});
