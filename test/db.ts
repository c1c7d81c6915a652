import { randomBytes } from "node:crypto";
import { afterAll, inject } from "vitest";
import { createDb, type Db } from "@/db/client";
import { drops, prizes, users } from "@/db/schema";

/** A connection pool to the test database, closed after the file's tests. */
export function connectTestDb(max = 20): Db {
  const { db, sql } = createDb(inject("databaseUrl"), max);
  afterAll(() => sql.end({ timeout: 5 }));
  return db;
}

/** Players inserted directly (no password hashing: claims never look at it). */
export async function createPlayers(db: Db, count: number): Promise<string[]> {
  const tag = randomBytes(6).toString("hex");
  const rows = await db
    .insert(users)
    .values(
      Array.from({ length: count }, (_, i) => ({
        email: `player-${tag}-${i}@test.invalid`,
        passwordHash: "not-a-real-hash",
        displayName: `Player ${i}`,
      })),
    )
    .returning({ id: users.id });
  return rows.map((r) => r.id);
}

/** A prize with one drop; the window is relative to now (in ms). */
export async function createTestDrop(
  db: Db,
  {
    units,
    startOffsetMs = -60_000,
    endOffsetMs = 3_600_000,
  }: {
    units: number;
    startOffsetMs?: number;
    endOffsetMs?: number;
  },
): Promise<{ dropId: string; prizeId: string }> {
  const [prize] = await db
    .insert(prizes)
    .values({ name: "Test prize", kind: "gift_card", valueCents: 2500, quantity: units })
    .returning({ id: prizes.id });
  if (!prize) throw new Error("no prize");
  const now = Date.now();
  const [drop] = await db
    .insert(drops)
    .values({
      title: "Test drop",
      prizeId: prize.id,
      units,
      remaining: units,
      startsAt: new Date(now + startOffsetMs),
      endsAt: new Date(now + endOffsetMs),
    })
    .returning({ id: drops.id });
  if (!drop) throw new Error("no drop");
  return { dropId: drop.id, prizeId: prize.id };
}
