import { describe, expect, it } from "vitest";
import { connectTestDb, createPlayers } from "@/test/db";
import { grantTestCoins } from "@/test/wallet";
import { playRound } from "./play-round";
import { decodeCursor, listRounds } from "./round-views";

const db = connectTestDb(4);

const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const ID = "3f1c2a4e-8b7d-4c6e-9a0b-1c2d3e4f5a6b";

describe("round history cursors", () => {
  it("pages through a player's rounds with the cursor it gives", async () => {
    const [player] = await createPlayers(db, 1);
    if (!player) throw new Error("no player");
    await grantTestCoins(db, player, "GC", 1000);
    for (const key of ["a", "b", "c"]) {
      await playRound(db, {
        playerId: player,
        idempotencyKey: key,
        body: { game: "dice", currency: "GC", stake: "1.00", params: { target: 50 } },
      });
    }
    const first = await listRounds(db, player, { limit: 2 });
    expect(first.rounds).toHaveLength(2);
    const before = decodeCursor(first.nextCursor ?? "");
    expect(before).toBeDefined();
    const second = await listRounds(db, player, { limit: 2, before });
    expect(second.rounds).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
  });

  it("refuses forged cursors PostgreSQL could not read, instead of failing the query", async () => {
    for (const forged of [
      forge(["foo 2026", ID]),
      forge(["1", ID]),
      forge(["2026-02-31T00:00:00Z", ID]),
      forge(["0000-01-01T00:00:00Z", ID]),
      forge(["2026-12-05T10:00:00+20:00", ID]),
      forge(["2026-12-05T10:00:00Z", "-".repeat(36)]),
      forge(["2026-12-05T10:00:00Z"]),
      "not base64 json",
    ]) {
      expect(decodeCursor(forged), forged).toBeUndefined();
    }
    const good = decodeCursor(forge(["2026-12-05T10:00:00.123456+00:00", ID]));
    expect(good).toEqual({ at: "2026-12-05T10:00:00.123456+00:00", id: ID });
    if (!good) throw new Error("refused a good cursor");
    const [player] = await createPlayers(db, 1);
    await expect(listRounds(db, player as string, { limit: 5, before: good })).resolves.toEqual({
      rounds: [],
      nextCursor: null,
    });
  });
});
