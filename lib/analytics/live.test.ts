import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sqlClient } from "@/db/client";
import { notify } from "@/db/notify";
import { claimDrop } from "@/lib/claims/claim-drop";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { createLiveFeed, eventStream } from "./live";

const db = connectTestDb();

/** Resolves with the first snapshot that passes `test`. */
function waitFor<T>(
  subscribe: (send: (value: T) => void) => () => void,
  test: (value: T) => boolean,
): Promise<T> {
  return new Promise((resolve) => {
    const stop = subscribe((value) => {
      if (!test(value)) return;
      queueMicrotask(() => stop());
      resolve(value);
    });
  });
}

describe("live analytics feed", () => {
  it("recomputes a burst of notifications a few times, not once per notification or subscriber", async () => {
    let computes = 0;
    const counter = async () => {
      computes += 1;
      const [row] = await db.execute<{ n: number }>(sql`select ${computes}::int as n`);
      return { n: Number(row?.n), at: Date.now() };
    };
    const feed = createLiveFeed(sqlClient(db), counter, { idleRefreshMs: 3_600_000 });
    const seen: number[][] = [[], [], []];
    const stops = seen.map((list) => feed.subscribe((s) => list.push(s.n)));
    await waitFor(feed.subscribe, (s) => s.n >= 1);
    const before = computes;
    // Fifty claim batches committing at once: the notifications arrive together.
    await db.transaction(async (tx) => {
      for (let i = 0; i < 50; i += 1) {
        await notify(tx, "analytics", String(i));
      }
    });
    await waitFor(feed.subscribe, (s) => s.n > before);
    for (const stop of stops) stop();
    // 50 notifications reached three subscribers through a handful of recomputes at most.
    expect(computes - before).toBeLessThanOrEqual(2);
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[1]).toEqual(seen[2]);
    expect(feed.subscriberCount()).toBe(0);
  });

  it("a claim committed by the claim engine reaches an open event stream", async () => {
    const { dropId } = await createTestDrop(db, { units: 3 });
    const [player] = await createPlayers(db, 1);
    const remaining = async () => {
      const [row] = await db.execute<{ n: number }>(
        sql`select count(*)::int as n from drop_units where drop_id = ${dropId} and status = 'available'`,
      );
      return { remaining: Number(row?.n) };
    };
    // No timed refresh: only the claim's notification can bring the new count.
    const feed = createLiveFeed(sqlClient(db), remaining, { idleRefreshMs: 3_600_000 });
    const controller = new AbortController();
    const always = async () => true;
    const reader = eventStream(feed, controller.signal, "snapshot", always).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil('"remaining":3');
    expect(text.startsWith("retry: ")).toBe(true);
    await claimDrop(db, { dropId, playerId: player as string });
    await readUntil('"remaining":2');
    expect(text).toContain("event: snapshot\ndata: ");
    controller.abort();
    expect((await reader.read()).done).toBe(true);
    expect(feed.subscriberCount()).toBe(0);
  });
});

describe("live analytics feed after a lost connection", () => {
  it("listens again when its LISTEN connection is cut, and keeps serving", async () => {
    let computes = 0;
    const feed = createLiveFeed(sqlClient(db), async () => ({ n: ++computes }), {
      idleRefreshMs: 3_600_000,
    });
    const stop = feed.subscribe(() => {});
    await waitFor(feed.subscribe, (s) => s.n >= 1);
    // The LISTEN connection opens in the background, maybe after the first snapshot: cut it
    // once it is there, or nothing would be cut and the reconnection never tried.
    let cut = 0;
    while (cut === 0) {
      const terminated = await db.execute(sql`
        select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and query ilike 'listen%'`);
      cut = terminated.length;
    }
    // The listener reconnects by itself and refreshes once it listens again; notifications
    // sent after that reach the feed as before.
    const after = computes;
    await waitFor(feed.subscribe, (s) => s.n > after);
    const again = computes;
    await notify(db, "analytics");
    await waitFor(feed.subscribe, (s) => s.n > again);
    stop();
  });
});
