import { getDb } from "@/db/client";
import { readTile } from "@/lib/anchoring/tiles";
import { isDatabaseUnavailable } from "@/lib/errors/database-unavailable";
import { withoutSharedRequestId, withRequestId } from "@/lib/http/api-handler";
import { logError } from "@/lib/log";
import { observeApiRequest } from "@/lib/metrics/web-metrics";
import { parseTilePath } from "@/lib/tlog/tiles";

export const dynamic = "force-dynamic";

/**
 * C2SP tlog-tiles: `/tile/<L>/<N>[.p/<W>]` (hashes) and `/tile/entries/<N>[.p/<W>]` (entry
 * bundles), within the published tree. A tile never changes, so caches may keep it forever and
 * any site may read it; answers that are not a tile (not yet, or never) are short, uncached text.
 */
export const GET = withoutSharedRequestId(
  withRequestId(async (request: Request) => {
    const startedAt = performance.now();
    const response = await tileResponse(request);
    observeApiRequest(request.method, "/tile/[...path]", response.status, startedAt);
    return response;
  }),
);

async function tileResponse(request: Request): Promise<Response> {
  // A query string changes no tile but makes a new cache key: each would reach the database.
  if (request.url.includes("?")) {
    return text(404, "A tile path takes no query string: drop everything from the ?");
  }
  // The path as sent, still percent-encoded: `%30%30%30` is not a canonical name of tile 000.
  const tile = parseTilePath(new URL(request.url).pathname.slice(1));
  if (!tile) return text(404, "Not a tile path: see https://c2sp.org/tlog-tiles");
  try {
    const bytes = await readTile(getDb(), tile);
    if (!bytes) return text(404, "The published log has no such tile (yet)");
    return new Response(bytes, {
      headers: {
        "content-type": "application/octet-stream",
        "cache-control": "public, max-age=31536000, immutable",
        "access-control-allow-origin": "*",
      },
    });
  } catch (error) {
    if (isDatabaseUnavailable(error)) {
      return text(503, "The log's database is not answering; try again shortly", {
        "retry-after": "5",
      });
    }
    logError("tile_read_failed", error, { path: new URL(request.url).pathname });
    return text(500, "Something went wrong on our side");
  }
}

function text(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, {
    status,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      // An absent tile may appear once the log grows; an error must not outlive its cause.
      "cache-control": "no-store",
      "access-control-allow-origin": "*",
      ...headers,
    },
  });
}
