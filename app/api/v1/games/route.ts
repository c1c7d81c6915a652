import { respond } from "@/lib/api/respond";
import { gamesResponse } from "@/lib/api/rounds";
import { describeGames } from "@/lib/games/games";
import { apiRoute } from "@/lib/http/api-handler";

export const GET = apiRoute(async () =>
  respond(
    gamesResponse,
    { games: describeGames() },
    {
      headers: { "cache-control": "public, max-age=300" },
    },
  ),
);
