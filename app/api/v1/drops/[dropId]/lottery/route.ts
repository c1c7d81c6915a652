import { getDb } from "@/db/client";
import { lotteryTranscriptResponse } from "@/lib/api/lottery";
import { respond } from "@/lib/api/respond";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute } from "@/lib/http/api-handler";
import { lotteryTranscript } from "@/lib/lottery/lottery";

/** The public transcript of a lottery drop: enough for anyone to replay the draw. */
export const GET = apiRoute<{ params: Promise<{ dropId: string }> }>(async (_request, context) => {
  const { dropId } = await context.params;
  const transcript = await lotteryTranscript(getDb(), dropId);
  if (!transcript) throw new AppError("not_found", "No lottery drop with this id");
  return respond(lotteryTranscriptResponse, transcript, {
    headers: { "cache-control": transcript.drawnAt ? "public, max-age=60" : "no-store" },
  });
});
