import type { PgBoss } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqlClient } from "@/db/client";
import { createLiveFeed } from "@/lib/analytics/live";
import { connectTestDb } from "@/test/db";
import { makeDeadDelivery, startTestJobQueue } from "@/test/jobs";
import { waitFor } from "@/test/wait-for";
import { readDeliveriesPulse } from "./admin-live";
import type { DeliveriesPulse } from "./model";

const db = connectTestDb();
let boss: PgBoss;

beforeAll(async () => {
  boss = await startTestJobQueue(db);
});
afterAll(async () => {
  await boss?.stop({ graceful: false, close: true });
});

describe("the admin pages' delivery pulse", () => {
  it("moves when a delivery dies, and the feed hears it on the delivery channel", async () => {
    const before = await readDeliveriesPulse(db);
    const seen: DeliveriesPulse[] = [];
    // No timer refresh: only the `delivery` notification may bring the second pulse.
    const feed = createLiveFeed(sqlClient(db), () => readDeliveriesPulse(db), {
      channel: "delivery",
      idleRefreshMs: 3_600_000,
    });
    const unsubscribe = feed.subscribe((pulse) => seen.push(pulse));
    try {
      await waitFor(async () => seen.length === 1);
      expect(seen[0]).toEqual(before);

      await makeDeadDelivery(db, boss);
      const after = await readDeliveriesPulse(db);
      expect(after.dead).toBe(before.dead + 1);
      expect(after.lastChange).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(before.lastChange === null || (after.lastChange ?? "") > before.lastChange).toBe(true);
      await waitFor(async () => seen.at(-1)?.dead === after.dead);
    } finally {
      unsubscribe();
    }
  });
});
