import { createHash } from "node:crypto";
import { z } from "zod";
import { getDb } from "@/db/client";
import { claimContext } from "@/lib/abuse/request-signals";
import { CLAIM_BODY_MAX_BYTES, claimResponse, idempotencyKey } from "@/lib/api/claims";
import { respond } from "@/lib/api/respond";
import { apiCaller, requireRole } from "@/lib/auth/current-user";
import { claimDrop } from "@/lib/claims/claim-drop";
import { AppError } from "@/lib/errors/app-error";
import { apiRoute, readBody } from "@/lib/http/api-handler";
import { signAnchoringPromise } from "@/lib/ledger/sign-receipt";
import { checkAdmission } from "@/lib/queue/admission-token";
import { ADMISSION_HEADER } from "@/lib/queue/model";

export const POST = apiRoute<{ params: Promise<{ dropId: string }> }>(async (request, context) => {
  const player = requireRole(await apiCaller(request), "player");
  const { dropId } = await context.params;
  if (!z.uuid().safeParse(dropId).success) {
    throw new AppError("not_found", "This drop does not exist");
  }
  const header = request.headers.get("idempotency-key");
  const key = header === null ? undefined : idempotencyKey.parse(header);
  const body = await readBody(request, CLAIM_BODY_MAX_BYTES);
  // The same key with another request is refused: the hash covers what was asked.
  const requestHash = createHash("sha256").update(`POST ${dropId}\n${body}`).digest();
  const claim = await claimDrop(getDb(), {
    dropId,
    playerId: player.id,
    tokenId: player.tokenId,
    idempotencyKey: key,
    requestHash,
    admission: checkAdmission(request.headers.get(ADMISSION_HEADER), {
      dropId,
      playerId: player.id,
    }),
    ...(await claimContext(request.headers)),
  });
  const { receipt } = claim.redemption;
  const promise = await signAnchoringPromise(receipt.leaf, Date.parse(claim.redemption.claimedAt));
  return respond(
    claimResponse,
    {
      redemption: { ...claim.redemption, code: claim.code },
      receipt: { ...receipt, ...(promise ? { promise } : {}) },
    },
    {
      status: 201,
      headers: {
        location: `/api/v1/redemptions/${claim.redemption.id}`,
        ...(claim.replayed ? { "idempotent-replayed": "true" } : {}),
      },
    },
  );
});
