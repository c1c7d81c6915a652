import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getBalances } from "@/lib/wallet/wallet";
import { connectTestDb, createPlayers } from "@/test/db";
import { grantTestCoins } from "@/test/wallet";
import { playRoundBatch } from "./round-batch";
import type { RoundOutcome, RoundRequest } from "./round-types";

const db = connectTestDb(4);

const request = (playerId: string, idempotencyKey: string): RoundRequest => ({
  playerId,
  idempotencyKey,
  requestHash: new Uint8Array(randomBytes(32)),
  game: "dice",
  currency: "GC",
  stake: 100,
  params: { target: 50 },
});

/** A batch whose prepared statements are planned as PostgreSQL plans them after five calls. */
function playGeneric(requests: RoundRequest[]): Promise<RoundOutcome[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
    return playRoundBatch(tx, requests);
  });
}

describe("a round batch under generic plans", () => {
  it("plays, refuses and replays as under custom plans", async () => {
    // New players: their accounts, seeds (with commitment leaves) and client seeds are made
    // in the batch too.
    const [rich, poor] = await createPlayers(db, 2);
    if (!rich || !poor) throw new Error("no players");
    await grantTestCoins(db, rich, "GC", 1_000);
    const first = request(rich, "a");
    const second = request(rich, "b");
    const refused = request(poor, "c");

    const played = await playGeneric([first, second, refused]);
    expect(played.map((o) => (o.ok ? o.round.nonce : o.reason))).toEqual([
      0,
      1,
      "insufficient_funds",
    ]);
    const [one, two] = played.map((o) => (o.ok ? o.round : undefined));
    const paid = [one, two].reduce((sum, r) => sum + Math.round(Number(r?.payout) * 100), 0);
    expect((await getBalances(db, rich)).GC).toBe(1_000 - 200 + paid);

    const again = await playGeneric([first, refused]);
    expect(again).toEqual([{ ok: true, round: one, replayed: true }, played[2]]);
    expect((await getBalances(db, rich)).GC).toBe(1_000 - 200 + paid);
    const [audit] = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from audit_events where action = 'round'`,
    );
    expect(audit?.n).toBe(3);
  });
});
