import { getDb } from "@/db/client";
import { respond } from "@/lib/api/respond";
import { createTokenBody, issuedTokenResponse, tokensResponse } from "@/lib/api/tokens";
import { createApiTokenWithPassword, listApiTokens } from "@/lib/auth/api-tokens";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";

export const POST = apiRoute(async (request) => {
  const { email, password, otp, ...options } = createTokenBody.parse(await readJson(request));
  const issued = await createApiTokenWithPassword(
    getDb(),
    { email, password, otp },
    options,
    requestContext(request),
  );
  return respond(
    issuedTokenResponse,
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
  return respond(tokensResponse, { tokens });
});
