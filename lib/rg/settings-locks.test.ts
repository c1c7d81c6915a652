import { describe, expect, it } from "vitest";
import { playRound } from "@/lib/rounds/play-round";
import { connectTestDb, createPlayers } from "@/test/db";
import { waitingOnLock } from "@/test/reset-race";
import { grantTestCoins } from "@/test/wallet";
import { setSessionReminder } from "./settings";

const db = connectTestDb(4);

describe("changing the session reminder", () => {
  it("does not hold up the player's rounds while it commits", async () => {
    const [player] = await createPlayers(db, 1);
    if (!player) throw new Error("no player");
    await grantTestCoins(db, player, "GC", 1_000);
    await db.transaction(async (tx) => {
      await setSessionReminder(tx, 30, { userId: player }, new Date());
      let finished = false;
      const round = playRound(db, {
        playerId: player,
        body: { game: "dice", currency: "GC", stake: "1.00", params: { target: 50 } },
        idempotencyKey: "during-reminder",
      }).finally(() => {
        finished = true;
      });
      while (!finished) {
        if (await waitingOnLock(db)) {
          throw new Error("the round waited for the reminder's lock on the player");
        }
      }
      expect((await round).round.stake).toBe("1.00");
    });
  });
});
