import { and, eq, inArray, sql, TransactionRollbackError } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Tx } from "@/db/client";
import { auditEvents, drops, lotteryEntries, prizes, redemptions, users } from "@/db/schema";
import { linkSignals } from "@/lib/abuse/account-links";
import { createDrop } from "@/lib/drops/drops";
import type { EligibilityRules } from "@/lib/drops/model";
import { createDropSchema } from "@/lib/drops/model";
import { AppError } from "@/lib/errors/app-error";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { waiterOf } from "@/test/reset-race";
import { entrantId, rankEntrants, replayTranscript, seedHash } from "./draw";
import { enterLottery, lotteryTranscript, runDueDraws } from "./lottery";

const db = connectTestDb(20);

async function createLottery(options: {
  units: number;
  startOffsetMs?: number;
  endOffsetMs?: number;
  eligibility?: EligibilityRules;
}): Promise<string> {
  const { dropId } = await createTestDrop(db, { ...options, allocation: "lottery" });
  return dropId;
}

/** Closes a lottery's window now (its start stays a minute ago). */
async function closeWindow(dropId: string): Promise<void> {
  await db
    .update(drops)
    .set({ endsAt: sql`now() - interval '1 second'` })
    .where(eq(drops.id, dropId));
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "entered";
  } catch (error) {
    if (error instanceof AppError) return String(error.details?.reason ?? error.code);
    throw error;
  }
}

async function winnersOf(dropId: string): Promise<string[]> {
  const rows = await db
    .select({ playerId: redemptions.playerId })
    .from(redemptions)
    .where(eq(redemptions.dropId, dropId));
  return rows.map((r) => r.playerId);
}

describe("lottery", () => {
  it("draws 5 winners among 30 weighted entries, and the revealed seed replays the draw", async () => {
    const dropId = await createLottery({ units: 5, eligibility: { notFlagged: true } });
    const bronze = await createPlayers(db, 15);
    const silver = await createPlayers(db, 10, { loyaltyTier: "silver" });
    const gold = await createPlayers(db, 5, { loyaltyTier: "gold" });
    const players = [...bronze, ...silver, ...gold];

    const entered = await Promise.all(
      players.map((playerId) => enterLottery(db, { dropId, playerId })),
    );
    expect(entered.every((e) => e.created)).toBe(true);
    expect(entered.map((e) => e.entry.weight).sort()).toEqual(
      [...Array(15).fill(1), ...Array(10).fill(2), ...Array(5).fill(4)].sort(),
    );
    expect(entered[0]?.entry.entrant).toBe(entrantId(dropId, players[0] as string));

    // Entering again answers the first entry; a tier change since does not change its weight.
    const bronzeId = bronze[0] as string;
    await db.update(users).set({ loyaltyTier: "gold" }).where(eq(users.id, bronzeId));
    const again = await enterLottery(db, { dropId, playerId: bronzeId });
    expect(again.created).toBe(false);
    expect(again.entry).toEqual(entered[0]?.entry);

    const [flagged] = await createPlayers(db, 1, { flaggedAt: new Date() });
    expect(await refusal(enterLottery(db, { dropId, playerId: flagged as string }))).toBe(
      "not_eligible:flagged",
    );
    const upcoming = await createLottery({ units: 1, startOffsetMs: 60_000 });
    expect(await refusal(enterLottery(db, { dropId: upcoming, playerId: bronzeId }))).toBe(
      "not_started",
    );
    const [entryCount] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(lotteryEntries)
      .where(eq(lotteryEntries.dropId, dropId));
    expect(entryCount?.n).toBe(30);

    // Before the draw: the commitment and the entries are public, the seed is not.
    const before = await lotteryTranscript(db, dropId);
    expect(before?.seed).toBeNull();
    expect(before?.winners).toBeNull();
    expect(before?.entries).toHaveLength(30);
    expect(before?.seedHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await runDueDraws(db)).some((r) => r.dropId === dropId)).toBe(false);

    // Five entrants are flagged after entering: the draw passes over them if they rank high.
    const lateFlagged = silver.slice(0, 5);
    await db.update(users).set({ flaggedAt: new Date() }).where(inArray(users.id, lateFlagged));
    await closeWindow(dropId);
    expect(await refusal(enterLottery(db, { dropId, playerId: flagged as string }))).toBe("ended");

    const reports = await runDueDraws(db);
    expect(reports.find((r) => r.dropId === dropId)).toMatchObject({ entries: 30, winners: 5 });
    const winners = await winnersOf(dropId);
    expect(winners).toHaveLength(5);
    expect(winners.filter((w) => lateFlagged.includes(w))).toEqual([]);

    const t = await lotteryTranscript(db, dropId);
    if (!t?.seed || !t.winners) throw new Error("no transcript after the draw");
    expect(t.seedHash).toBe(before?.seedHash);
    expect(seedHash(Buffer.from(t.seed, "hex"))).toBe(t.seedHash);
    expect(t.entries).toEqual(before?.entries);

    // Replaying the published ranking reproduces exactly the players who hold the units.
    const ranking = rankEntrants({ seed: Buffer.from(t.seed, "hex"), dropId, entries: t.entries });
    const flaggedEntrants = new Set(lateFlagged.map((p) => entrantId(dropId, p)));
    const expected = ranking.filter((e) => !flaggedEntrants.has(e)).slice(0, 5);
    expect(t.winners).toEqual(expected);
    expect(new Set(winners.map((p) => entrantId(dropId, p)))).toEqual(new Set(expected));
    const lastWinner = ranking.indexOf(expected[4] as string);
    expect(t.skipped).toEqual(
      ranking
        .slice(0, lastWinner)
        .filter((e) => flaggedEntrants.has(e))
        .map((entrant) => ({ entrant, reason: "not_eligible:flagged" })),
    );
    expect(replayTranscript(t).ok).toBe(true);

    const [event] = await db
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.action, "lottery_draw"), eq(auditEvents.subject, `drop:${dropId}`)),
      );
    expect(event?.data).toMatchObject({ entries: 30, winners: 5 });

    // A second run finds nothing left to draw.
    expect((await runDueDraws(db)).some((r) => r.dropId === dropId)).toBe(false);
    expect(await winnersOf(dropId)).toHaveLength(5);
  });

  it("refuses entries to a first-come drop and transcripts of it", async () => {
    const [prize] = await db
      .insert(prizes)
      .values({ name: "FCFS prize", kind: "crypto", valueCents: 1000, quantity: 1 })
      .returning({ id: prizes.id });
    const { id } = await createDrop(
      db,
      createDropSchema.parse({
        title: "FCFS",
        prizeId: prize?.id,
        units: 1,
        startsAt: new Date(Date.now() - 60_000),
        endsAt: new Date(Date.now() + 60_000),
      }),
    );
    const [playerId] = await createPlayers(db, 1);
    expect(await refusal(enterLottery(db, { dropId: id, playerId: playerId as string }))).toBe(
      "not_lottery",
    );
    expect(await lotteryTranscript(db, id)).toBeUndefined();
  });

  it("draws once when two workers run the draws at the same moment", async () => {
    const dropId = await createLottery({ units: 3 });
    const players = await createPlayers(db, 12, { loyaltyTier: "silver" });
    for (const playerId of players) await enterLottery(db, { dropId, playerId });
    await closeWindow(dropId);

    const [a, b] = await Promise.all([runDueDraws(db), runDueDraws(db)]);
    const draws = [...(a ?? []), ...(b ?? [])].filter((r) => r.dropId === dropId);
    expect(draws).toHaveLength(1);
    expect(await winnersOf(dropId)).toHaveLength(3);
    const t = await lotteryTranscript(db, dropId);
    expect(t && replayTranscript(t).ok).toBe(true);
  });

  it("draws a lottery nobody entered and keeps its units", async () => {
    const dropId = await createLottery({ units: 2 });
    await closeWindow(dropId);
    expect((await runDueDraws(db)).find((r) => r.dropId === dropId)).toMatchObject({
      entries: 0,
      winners: 0,
    });
    const t = await lotteryTranscript(db, dropId);
    expect(t?.winners).toEqual([]);
    expect(t && replayTranscript(t).ok).toBe(true);
  });

  it("draws the later lotteries when an earlier one fails every time", async () => {
    const broken = await createLottery({ units: 1 });
    const later = await createLottery({ units: 1 });
    const [playerId] = (await createPlayers(db, 1)) as [string];
    await enterLottery(db, { dropId: later, playerId });
    // Ended first, so taken first; without its seed it cannot be drawn.
    await db
      .update(drops)
      .set({ endsAt: sql`now() - interval '1 minute'`, seed: null })
      .where(eq(drops.id, broken));
    await closeWindow(later);

    const drawn = (await runDueDraws(db)).map((r) => r.dropId);
    expect(drawn).toContain(later);
    expect(drawn).not.toContain(broken);
    expect(await winnersOf(later)).toEqual([playerId]);
    const [left] = await db
      .select({ drawnAt: drops.drawnAt })
      .from(drops)
      .where(eq(drops.id, broken));
    expect(left?.drawnAt).toBeNull();
    // Out of the way of this file's later draws.
    await db
      .update(drops)
      .set({ endsAt: sql`now() + interval '1 day'` })
      .where(eq(drops.id, broken));
  });
});

/** Resolves once `pid`'s backend waits on a lock held by another (or `done` settles first). */
async function blockedOrDone(pid: () => Promise<number>, done?: Promise<unknown>): Promise<void> {
  let settled = false;
  done?.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  const target = await pid();
  for (;;) {
    if (settled) return;
    const [row] = await db.execute<{ blocked: boolean }>(
      sql`select cardinality(pg_blocking_pids(${target}::int)) > 0 as blocked`,
    );
    if (row?.blocked) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A transaction kept open until `release` is called; it then commits or rolls back. */
function holdTransaction(work: (tx: Tx) => Promise<unknown>, end: "commit" | "rollback") {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let pidOf: (pid: number) => void = () => {};
  const pid = new Promise<number>((resolve) => {
    pidOf = resolve;
  });
  const done = db
    .transaction(async (tx) => {
      const [row] = await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
      await work(tx);
      pidOf(row?.pid as number);
      await released;
      if (end === "rollback") tx.rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof TransactionRollbackError)) throw error;
    });
  return { pid, release, done };
}

describe("lottery windows and locks", () => {
  it("draws a lottery that was paused when its end passed, and lifts the pause", async () => {
    const dropId = await createLottery({ units: 1 });
    const [playerId] = await createPlayers(db, 1);
    await enterLottery(db, { dropId, playerId: playerId as string });
    await db.update(drops).set({ pausedAt: sql`now()` }).where(eq(drops.id, dropId));
    await closeWindow(dropId);

    expect((await runDueDraws(db)).find((r) => r.dropId === dropId)).toMatchObject({
      entries: 1,
      winners: 1,
    });
    expect(await winnersOf(dropId)).toEqual([playerId]);
    const [drop] = await db
      .select({ pausedAt: drops.pausedAt, drawnAt: drops.drawnAt })
      .from(drops)
      .where(eq(drops.id, dropId));
    expect(drop?.drawnAt).not.toBeNull();
    expect(drop?.pausedAt).toBeNull();
    const t = await lotteryTranscript(db, dropId);
    expect(t && replayTranscript(t).ok).toBe(true);
  });

  it("an entry still in its transaction when the window closes is in the draw, never after it", async () => {
    const dropId = await createLottery({ units: 2 });
    const [early, late] = (await createPlayers(db, 2)) as [string, string];
    await enterLottery(db, { dropId, playerId: early });

    // Another transaction records the late player's device first: their entry, past its window
    // check, waits on that lock inside its own transaction.
    const deviceId = `device-${dropId}`;
    const holder = holdTransaction(
      (tx) => linkSignals(tx, [{ userId: late, kind: "device", value: deviceId }]),
      "rollback",
    );
    const entering = enterLottery(db, { dropId, playerId: late, deviceId }).then(
      (r) => r.entry.entrant,
      (error: unknown) => refusal(Promise.reject(error)),
    );
    await waiterOf(db, await holder.pid);

    // Meanwhile the window closes and the worker draws: either the draw waits for the entry, or
    // (before the fix) it drew without it and the entry committed after.
    let closer = 0;
    const drawing = (async () => {
      await db.transaction(async (tx) => {
        const [row] = await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
        closer = row?.pid as number;
        await tx
          .update(drops)
          .set({ endsAt: sql`now() - interval '1 second'` })
          .where(eq(drops.id, dropId));
      });
      return runDueDraws(db);
    })();
    await blockedOrDone(async () => {
      while (closer === 0) await new Promise((resolve) => setImmediate(resolve));
      return closer;
    }, drawing);
    holder.release();
    await holder.done;

    expect(await entering).toBe(entrantId(dropId, late));
    await drawing;
    await runDueDraws(db);
    const t = await lotteryTranscript(db, dropId);
    if (!t?.winners) throw new Error("not drawn");
    expect(t.entries).toHaveLength(2);
    expect(t.winners).toHaveLength(2);
    expect(replayTranscript(t).ok).toBe(true);
  });

  it("an entry waiting on the drop while its window closes is refused, not added after", async () => {
    const dropId = await createLottery({ units: 2 });
    const [early, late] = (await createPlayers(db, 2)) as [string, string];
    await enterLottery(db, { dropId, playerId: early });

    // The drop is held (as the draw holds it) while its window closes; the entry has already
    // read the window open.
    const holder = holdTransaction(async (tx) => {
      await tx.select({ id: drops.id }).from(drops).where(eq(drops.id, dropId)).for("update");
      await tx
        .update(drops)
        .set({ endsAt: sql`now() - interval '1 second'` })
        .where(eq(drops.id, dropId));
    }, "commit");
    const entering = refusal(enterLottery(db, { dropId, playerId: late }));
    await waiterOf(db, await holder.pid);
    holder.release();
    await holder.done;

    expect(await entering).toBe("ended");
    await runDueDraws(db);
    const t = await lotteryTranscript(db, dropId);
    expect(t?.entries).toEqual([{ entrant: entrantId(dropId, early), weight: 1 }]);
    expect(t?.winners).toEqual([entrantId(dropId, early)]);
    expect(t && replayTranscript(t).ok).toBe(true);
  });
});
