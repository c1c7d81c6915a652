import "server-only";
import { createHash, randomUUID } from "node:crypto";
import type { z } from "zod";
import type { Db } from "@/db/client";
import type { RequestContext } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import { games } from "@/lib/games/games";
import { canonicalJson } from "@/lib/games/round-record";
import { signAnchoringPromise } from "@/lib/ledger/sign-receipt";
import { getReceipt } from "@/lib/redemptions/redemptions";
import type { RoundView } from "./model";
import { roundRequestSchema } from "./model";
import { submitRound } from "./round-batcher";

function invalidInput(error: z.ZodError, prefix: string[] = []): AppError {
  const issue = error.issues[0];
  const field = [...prefix, ...(issue?.path ?? []).map(String)].join(".");
  return new AppError("invalid_input", field ? `${field}: ${issue?.message}` : "Invalid input", {
    field,
  });
}

/** The receipt of a prize a round won (docs/receipt.md). */
export type PrizeReceipt = NonNullable<Awaited<ReturnType<typeof getReceipt>>>;

export type PlayRoundInput = {
  playerId: string;
  /** The request as the client sent it: parsed here, so the API and the page judge it alike. */
  body: unknown;
  /** A client's Idempotency-Key; without one the round gets a key of its own. */
  idempotencyKey?: string;
  tokenId?: string | null;
} & RequestContext;

/**
 * Plays one round for a player (POST /api/v1/rounds and the page's action). A refusal throws an
 * AppError with its stable code: insufficient_funds, limit_reached, self_excluded, not_eligible
 * (details.reason "not_eligible:region"), invalid_input, idempotency_mismatch.
 */
export async function playRound(
  db: Db,
  input: PlayRoundInput,
): Promise<{ round: RoundView; replayed: boolean; receipt?: PrizeReceipt }> {
  const parsed = roundRequestSchema.safeParse(input.body);
  if (!parsed.success) throw invalidInput(parsed.error);
  const body = parsed.data;
  const params = games[body.game].params.safeParse(body.params);
  if (!params.success) throw invalidInput(params.error, ["params"]);
  // The same key with another request is refused: the hash covers what was asked, as parsed.
  const requestHash = createHash("sha256")
    .update(
      canonicalJson({
        game: body.game,
        currency: body.currency,
        stake: body.stake,
        params: params.data,
      }),
    )
    .digest();
  const outcome = await submitRound(db, {
    playerId: input.playerId,
    idempotencyKey: input.idempotencyKey ?? randomUUID(),
    requestHash: new Uint8Array(requestHash),
    game: body.game,
    currency: body.currency,
    stake: body.stake,
    params: params.data,
    tokenId: input.tokenId,
    ip: input.ip,
    userAgent: input.userAgent,
    requestId: input.requestId,
  });
  if (outcome.ok) {
    const { round, replayed } = outcome;
    if (!round.redemption) return { round, replayed };
    // A prize: its receipt, with the operator's signed promise when the prize is new.
    if (outcome.receipt) {
      const promise = await signAnchoringPromise(outcome.receipt.leaf, Date.parse(round.playedAt));
      return { round, replayed, receipt: { ...outcome.receipt, ...(promise ? { promise } : {}) } };
    }
    return { round, replayed, receipt: await getReceipt(db, input.playerId, round.redemption.id) };
  }
  if (outcome.reason === "not_eligible:region") {
    throw new AppError("not_eligible", outcome.message, { reason: outcome.reason });
  }
  throw new AppError(outcome.reason, outcome.message, { reason: outcome.reason });
}
