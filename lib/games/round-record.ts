/**
 * A round's canonical record: what its ledger leaf (kind 5) commits to as roundDigest =
 * SHA-256(utf8("prizeledger/round/v1\n" ‖ canonical JSON of the record)), canonical JSON being
 * JSON.stringify with object keys sorted at every level and no spaces. The record carries what
 * a verifier needs to replay the round once its seed is revealed (docs/games.md).
 */
import { sha256 } from "@noble/hashes/sha2";
import { utf8ToBytes } from "@noble/hashes/utils";
import type { Currency } from "@/lib/wallet/model";
import type { GameId } from "./model";

export type RoundRecord = {
  id: string;
  game: GameId;
  currency: Currency;
  /** Decimal strings with two places, as the API writes coins. */
  stake: string;
  payout: string;
  params: Record<string, unknown>;
  outcome: Record<string, unknown>;
  serverSeedHash: string;
  clientSeed: string;
  nonce: number;
  /** The prize the round awarded (its prize tier), or null. */
  prizeId: string | null;
};

const DOMAIN = "prizeledger/round/v1\n";

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function roundDigest(record: RoundRecord): Uint8Array {
  return sha256(
    utf8ToBytes(
      DOMAIN +
        canonicalJson({
          id: record.id,
          game: record.game,
          currency: record.currency,
          stake: record.stake,
          payout: record.payout,
          params: record.params,
          outcome: record.outcome,
          serverSeedHash: record.serverSeedHash,
          clientSeed: record.clientSeed,
          nonce: record.nonce,
          prizeId: record.prizeId,
        }),
    ),
  );
}
