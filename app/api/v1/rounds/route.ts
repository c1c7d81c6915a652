import { getDb } from "@/db/client";
import { idempotencyKey } from "@/lib/api/claims";
import { respond } from "@/lib/api/respond";
import { roundResponse, roundsQuery, roundsResponse } from "@/lib/api/rounds";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute, readJson, requestContext } from "@/lib/http/api-handler";
import { playRound } from "@/lib/rounds/play-round";
import { decodeCursor, listRounds } from "@/lib/rounds/round-views";

export const POST = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const header = request.headers.get("idempotency-key");
  const key = header === null ? undefined : idempotencyKey.parse(header);
  const { round, replayed, receipt } = await playRound(getDb(), {
    playerId: player.id,
    body: await readJson(request),
    idempotencyKey: key,
    tokenId: player.tokenId,
    ...requestContext(request),
  });
  return respond(
    roundResponse,
    { round, ...(receipt ? { receipt } : {}) },
    {
      status: 201,
      headers: {
        location: `/api/v1/rounds/${round.id}`,
        ...(replayed ? { "idempotent-replayed": "true" } : {}),
      },
    },
  );
});

export const GET = apiRoute(async (request) => {
  const player = requireRole(await apiCaller(request), "player");
  const query = roundsQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (query.cursor !== undefined && !before) {
    throw new AppError("invalid_input", "cursor: not a cursor this API gave", { field: "cursor" });
  }
  return respond(
    roundsResponse,
    await listRounds(getDb(), player.id, { limit: query.limit, before }),
    { headers: { "cache-control": "no-store" } },
  );
});
