import { getDb } from "@/db/client";
import { cosignedNote, latestSignedCheckpoint } from "@/lib/anchoring/log-checkpoints";
import { apiRoute } from "@/lib/http/api-handler";

export const dynamic = "force-dynamic";

// Monitors and witnesses poll it, and another operator's /verify may read it from a browser.
// A few seconds of caching spares the database; a newer checkpoint is never far behind.
const HEADERS = {
  "content-type": "text/plain; charset=utf-8",
  "access-control-allow-origin": "*",
};

/**
 * The log's latest signed checkpoint (C2SP tlog-checkpoint, as C2SP tlog-tiles serves it): the
 * note with the log's signature, then the witnesses' cosignatures.
 */
export const GET = apiRoute(async () => {
  const checkpoint = await latestSignedCheckpoint(getDb());
  if (!checkpoint) {
    return new Response(
      "This log has not signed a checkpoint yet: it signs each one once the ledger contract holds it.\n",
      { status: 404, headers: { ...HEADERS, "cache-control": "no-store" } },
    );
  }
  return new Response(cosignedNote(checkpoint), {
    headers: { ...HEADERS, "cache-control": "public, max-age=5" },
  });
});
