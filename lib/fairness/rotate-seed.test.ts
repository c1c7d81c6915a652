import { describe, expect, it } from "vitest";
import { connectTestDb, createPlayers } from "@/test/db";
import { waitingOnLock } from "@/test/reset-race";
import { getFairness, rotateSeed } from "./seeds";

const db = connectTestDb(4);

describe("rotating a seed", () => {
  it("twice at once: the second waits, then reveals the seed the first put in play", async () => {
    const [player] = await createPlayers(db, 1);
    if (!player) throw new Error("no player");
    const before = await getFairness(db, player);

    // The first rotation written but not committed; the second started only then.
    const { first, second } = await db.transaction(async (tx) => {
      const first = await rotateSeed(tx, player);
      let finished = false;
      const second = rotateSeed(db, player).then(
        (view) => ({ view }),
        (error: Error) => ({ error: error.message }),
      );
      void second.finally(() => {
        finished = true;
      });
      while (!(await waitingOnLock(db))) {
        if (finished) throw new Error("the second rotation did not wait for the first");
      }
      // Wrapped: returning the promise itself would make the commit wait for it.
      return { first, second: { outcome: second } };
    });

    expect(first.revealed.serverSeedHash).toBe(before.serverSeedHash);
    expect(await second.outcome).toEqual({
      view: {
        revealed: { serverSeedHash: first.current.serverSeedHash, serverSeed: expect.any(String) },
        current: { serverSeedHash: expect.any(String) },
      },
    });
    const after = await getFairness(db, player);
    expect(after.serverSeedHash).not.toBe(first.current.serverSeedHash);
    expect(after.nonce).toBe(0);
  });
});
