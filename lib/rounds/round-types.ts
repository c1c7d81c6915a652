import "server-only";
import type { RequestContext } from "@/lib/audit/record-event";
import type { GameId } from "@/lib/games/model";
import type { IssuedPrize } from "@/lib/redemptions/issue-prize";
import type { Currency } from "@/lib/wallet/model";
import type { RoundRefusal, RoundView } from "./model";

export type RoundRequest = {
  playerId: string;
  /** The client's Idempotency-Key: the same key plays once and answers the same round. */
  idempotencyKey: string;
  /** Hash of what was asked under the key: the same key with another request is refused. */
  requestHash: Uint8Array;
  game: GameId;
  currency: Currency;
  /** Minor units, > 0. */
  stake: number;
  /** Already checked by the game's params schema. */
  params: Record<string, unknown>;
  tokenId?: string | null;
} & RequestContext;

export type RoundOutcome =
  | {
      ok: true;
      round: RoundView;
      replayed: boolean;
      /** A prize won in this very answer: its redemption's pending receipt. */
      receipt?: IssuedPrize["receipt"];
    }
  | { ok: false; reason: RoundRefusal; message: string }
  | { ok: false; reason: "idempotency_mismatch"; message: string };
