import "server-only";
import type { Db } from "@/db/client";
import { AppError } from "@/lib/errors/app-error";
import { countClaim } from "@/lib/metrics/web-metrics";
import { refusalBeforeClaim } from "@/lib/queue/claim-gate";
import {
  type ClaimedRedemption,
  type ClaimOutcome,
  type ClaimRequest,
  RATE_WINDOW_SECONDS,
  submitClaim,
} from "./claim-engine";
import { refusalErrorCode, refusalMessage } from "./model";
import { findPlayerDropClaims } from "./player-claims";

export type ClaimResult = { redemption: ClaimedRedemption; code: string; replayed: boolean };

/**
 * Claims one unit of a drop. A refusal throws an AppError whose code is the stable reason
 * (`sold_out`, `limit_reached`, `not_eligible` with its rule in `details.reason`, …);
 * `limit_reached` names the player's newest redemption of the drop in `details.redemptionId`.
 */
export async function claimDrop(db: Db, request: ClaimRequest): Promise<ClaimResult> {
  const receivedAt = performance.now();
  let outcome: ClaimOutcome;
  try {
    const unadmitted = await refusalBeforeClaim(db, request.dropId, request.admission);
    outcome = unadmitted
      ? { ok: false, reason: unadmitted, limit: 1, replayed: false }
      : await submitClaim(db, { ...request, receivedAt });
  } catch (error) {
    countClaim("error", receivedAt);
    throw error;
  }
  countClaim(outcome.ok ? "granted" : outcome.reason, receivedAt);
  if (outcome.ok) return outcome;
  if (outcome.reason === "idempotency_mismatch") {
    throw new AppError(
      "idempotency_mismatch",
      "This Idempotency-Key was already used for a different request",
    );
  }
  const retryAfter =
    outcome.reason === "rate_limited"
      ? RATE_WINDOW_SECONDS - (Math.floor(Date.now() / 1000) % RATE_WINDOW_SECONDS)
      : undefined;
  // "Already claimed" points at what the player holds: a click after a claim, or a retry of one.
  const [redemptionId] =
    outcome.reason === "limit_reached"
      ? await findPlayerDropClaims(db, request.dropId, request.playerId)
      : [];
  throw new AppError(
    refusalErrorCode(outcome.reason),
    refusalMessage(outcome.reason, outcome.limit),
    {
      reason: outcome.reason,
      replayed: outcome.replayed,
      ...(retryAfter ? { retryAfter } : {}),
      ...(redemptionId ? { redemptionId } : {}),
    },
  );
}
