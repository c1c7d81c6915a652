import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getFairness } from "@/lib/fairness/seeds";
import { connectTestDb, createPlayers } from "@/test/db";
import { grantTestCoins } from "@/test/wallet";
import { runRoundBatch } from "./round-batcher";
import type { RoundRequest } from "./round-types";

const db = connectTestDb(4);

const diceRound = (playerId: string): RoundRequest => ({
  playerId,
  idempotencyKey: randomUUID(),
  requestHash: new Uint8Array(32),
  game: "dice",
  currency: "GC",
  stake: 100,
  params: { target: 50 },
});

describe("a batch of rounds", () => {
  it("fails only the round whose seed does not decrypt, and plays the others", async () => {
    const [broken, player] = await createPlayers(db, 2);
    if (!broken || !player) throw new Error("no players");
    for (const p of [broken, player]) {
      await grantTestCoins(db, p, "GC", 1_000);
      await getFairness(db, p);
    }
    // A seed sealed under a key the keyring no longer holds: the engine throws for it.
    await db.execute(sql`
      update fair_seeds set server_seed = 'enc:retired-key:AAAA'
      where user_id = ${broken} and status = 'active'`);

    const [lost, played] = await runRoundBatch(db, [diceRound(broken), diceRound(player)]);
    expect(lost?.status).toBe("rejected");
    expect(played).toMatchObject({ status: "fulfilled", value: { ok: true } });
  });
});
