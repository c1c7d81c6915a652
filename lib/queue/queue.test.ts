import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditEvents, dropQueues, drops, queuePlaces } from "@/db/schema";
import { recordSignals } from "@/lib/abuse/account-links";
import { claimDrop } from "@/lib/claims/claim-drop";
import { createDrop, updateDrop } from "@/lib/drops/drops";
import { createDropSchema } from "@/lib/drops/model";
import { decodeLeaf } from "@/lib/ledger/leaf";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { refusalOf } from "@/test/refusal";
import { checkAdmission } from "./admission-token";
import { admitWaitingRooms, ROOM_LOCK } from "./admit";
import {
  countQueueEntries,
  getCachedQueueProof,
  getQueueProof,
  getQueueStats,
  getQueueView,
  joinQueue,
  joinRoom,
  leaveQueue,
  MAX_QUEUE_LEAVES,
  setAdmissionRate,
} from "./queue";
import { placePseudonym, replayQueueProof, shufflePreQueue } from "./shuffle";

process.env.QUEUE_TOKEN_SECRET ??= "a-test-secret-for-admission-tokens-0123456789";

const db = connectTestDb(20);

/** A drop starting in 10 minutes with its room on: the pre-queue (15 minutes) is open. */
async function queuedDrop(
  options: { units?: number; onePerGroup?: boolean; startOffsetMs?: number } = {},
): Promise<string> {
  const { dropId } = await createTestDrop(db, {
    units: options.units ?? 20,
    startOffsetMs: options.startOffsetMs ?? 600_000,
    endOffsetMs: (options.startOffsetMs ?? 600_000) + 3_600_000,
    eligibility: options.onePerGroup ? { onePerGroup: true } : {},
    waitingRoom: { enabled: true, admissionRatePerMinute: 18 },
  });
  return dropId;
}

/** The drop starts now: everyone who joined so far is the pre-queue. */
async function startNow(dropId: string): Promise<void> {
  // To the millisecond, as the app sets times (and as join times are stamped).
  await db
    .update(drops)
    .set({ startsAt: sql`date_trunc('milliseconds', now())` })
    .where(eq(drops.id, dropId));
}

/** Waits for the database's clock to pass the drop's start (set a moment ahead). */
async function untilStarted(dropId: string): Promise<void> {
  for (;;) {
    const [row] = await db.execute<{ started: boolean }>(
      sql`select starts_at <= now() as started from drops where id = ${dropId}`,
    );
    if (row?.started) return;
  }
}

/** Admissions are owed for the longest carried-over time (10 s): rate 18 a minute admits 3. */
async function oweAdmissions(dropId: string): Promise<void> {
  await db
    .update(dropQueues)
    .set({ admittedUntil: new Date("2000-01-01T00:00:00Z") })
    .where(eq(dropQueues.dropId, dropId));
}

async function pass(dropId: string) {
  const passes = await admitWaitingRooms(db, { settleSeconds: 0 });
  return passes.find((p) => p.dropId === dropId);
}

describe("joining a waiting room", () => {
  it("holds one place per account: joining again, even at once, gives the same place", async () => {
    const dropId = await queuedDrop();
    const [player] = (await createPlayers(db, 1)) as [string];
    const [a, b] = await Promise.all([
      joinQueue(db, { dropId, playerId: player }),
      joinQueue(db, { dropId, playerId: player }),
    ]);
    const again = await joinQueue(db, { dropId, playerId: player });
    expect(a.state).toBe("pre_queue");
    expect(a.pseudonym).toMatch(/^[0-9a-f]{64}$/);
    expect([b.pseudonym, again.pseudonym]).toEqual([a.pseudonym, a.pseudonym]);
    const places = await db.select().from(queuePlaces).where(eq(queuePlaces.dropId, dropId));
    expect(places).toHaveLength(1);
    // The place is the account's: a view from anywhere (another session, the API) shows it.
    expect((await getQueueView(db, { dropId, playerId: player })).pseudonym).toBe(a.pseudonym);
  });

  it("is refused in words before the pre-queue opens, after the end, and without a room", async () => {
    const [player] = (await createPlayers(db, 1)) as [string];
    const later = await queuedDrop({ startOffsetMs: 3_600_000 });
    expect(await refusalOf(joinQueue(db, { dropId: later, playerId: player }), "joined")).toBe(
      "queue_not_open",
    );
    expect((await getQueueView(db, { dropId: later, playerId: player })).state).toBe("not_open");
    const ended = await queuedDrop();
    await db
      .update(drops)
      .set({
        startsAt: sql`now() - interval '2 minutes'`,
        endsAt: sql`now() - interval '1 minute'`,
      })
      .where(eq(drops.id, ended));
    expect(await refusalOf(joinQueue(db, { dropId: ended, playerId: player }), "joined")).toBe(
      "queue_closed",
    );
    const { dropId: plain } = await createTestDrop(db, { units: 3 });
    expect(await refusalOf(joinQueue(db, { dropId: plain, playerId: player }), "joined")).toBe(
      "not_found",
    );
    expect(await refusalOf(joinQueue(db, { dropId: "nope", playerId: player }), "joined")).toBe(
      "not_found",
    );
  });

  it("is refused in words to an account that could not claim the drop", async () => {
    const dropId = await queuedDrop();
    const [unverified] = (await createPlayers(db, 1, { emailVerifiedAt: null })) as [string];
    expect(await refusalOf(joinQueue(db, { dropId, playerId: unverified }), "joined")).toBe(
      "not_eligible:verified_email",
    );
    expect(await db.select().from(queuePlaces).where(eq(queuePlaces.dropId, dropId))).toEqual([]);
  });

  it("gives one place per linked account group where the drop says so", async () => {
    const [a, b] = (await createPlayers(db, 2)) as [string, string];
    const deviceId = `device-${a}`;
    await recordSignals(db, [
      { userId: a, kind: "device", value: deviceId },
      { userId: b, kind: "device", value: deviceId },
    ]);
    const grouped = await queuedDrop({ onePerGroup: true });
    const results = await Promise.all([
      refusalOf(joinQueue(db, { dropId: grouped, playerId: a }), "joined"),
      refusalOf(joinQueue(db, { dropId: grouped, playerId: b }), "joined"),
    ]);
    expect(results.sort()).toEqual(["joined", "queue_linked_place"]);
    // Without the rule, linked accounts each hold a place.
    const open = await queuedDrop();
    await joinQueue(db, { dropId: open, playerId: a });
    await joinQueue(db, { dropId: open, playerId: b });
    expect((await getQueueStats(db, open)).queueLength).toBe(0);
    await pass(open);
    expect((await getQueueStats(db, open)).queueLength).toBe(2);
  });
});

describe("the shuffle and admissions", () => {
  it("shuffles the pre-queue by the committed seed, then places later arrivals in order", async () => {
    const dropId = await queuedDrop();
    const players = await createPlayers(db, 7);
    const early = players.slice(0, 5);
    const late = players.slice(5);
    for (const playerId of early) await joinQueue(db, { dropId, playerId });
    const before = await getQueueProof(db, dropId);
    expect(before.seed).toBeNull();
    expect(before.order).toBeNull();
    expect(before.entries).toHaveLength(5);
    // The seed stays secret in every view before the shuffle.
    expect((await getQueueView(db, { dropId, playerId: early[0] as string })).seed).toBeNull();

    await startNow(dropId);
    const lateViews = [];
    for (const playerId of late) lateViews.push(await joinQueue(db, { dropId, playerId }));
    expect(await pass(dropId)).toMatchObject({ shuffled: 5, placed: 2 });

    const proof = await getQueueProof(db, dropId);
    expect(proof.seed).not.toBeNull();
    const seed = Buffer.from(proof.seed as string, "hex");
    expect(createHash("sha256").update(seed).digest("hex")).toBe(before.seedHash);
    expect(replayQueueProof(proof)).toMatchObject({ ok: true });
    const earlyPseudonyms = before.entries.map((e) => e.pseudonym);
    expect(proof.order?.slice(0, 5)).toEqual(shufflePreQueue(seed, dropId, earlyPseudonyms));
    expect(proof.order?.slice(5)).toEqual(lateViews.map((v) => v.pseudonym));
    // The public list names no account.
    for (const playerId of players) expect(JSON.stringify(proof)).not.toContain(playerId);

    const lastLate = await getQueueView(db, { dropId, playerId: late[1] as string });
    expect(lastLate).toMatchObject({ state: "waiting", position: 7, ahead: 6, queueLength: 7 });
    expect(lastLate.estimatedWaitSeconds).toBe(20); // 6 ahead at 18 a minute
  });

  it("fixes the drawn pre-queue in the ledger as it reveals the seed; each player can find theirs", async () => {
    const dropId = await queuedDrop();
    const players = await createPlayers(db, 4);
    for (const playerId of players.slice(0, 3)) await joinQueue(db, { dropId, playerId });
    // The player's own view, from the join, recomputes their pseudonym; nobody else's does.
    const mine = await getQueueView(db, { dropId, playerId: players[0] as string });
    const salt = Buffer.from(mine.entry?.salt as string, "hex");
    expect(mine.entry?.playerId).toBe(players[0]);
    expect(placePseudonym(dropId, players[0] as string, salt)).toBe(mine.pseudonym);
    expect((await getQueueView(db, { dropId, playerId: players[3] as string })).entry).toBeNull();
    expect((await getQueueProof(db, dropId)).draw).toBeNull();

    await startNow(dropId);
    await joinQueue(db, { dropId, playerId: players[3] as string });
    expect(await pass(dropId)).toMatchObject({ shuffled: 3, placed: 1 });
    const [logged] = await db.execute<{ leaf: string }>(sql`
      select encode(leaf_data, 'hex') as leaf from ledger_entries
      where kind = 'queue_draw' and queue_drop_id = ${dropId}`);
    const proof = await getQueueProof(db, dropId);
    expect(proof.draw).toEqual({ leaf: `0x${logged?.leaf}`, leafIndex: null });
    const leaf = decodeLeaf(Buffer.from(logged?.leaf as string, "hex"));
    expect(leaf).toMatchObject({ kind: "queue_draw", entryId: dropId, count: 3 });
    expect(replayQueueProof(proof)).toMatchObject({ ok: true });
    // The salt stays out of the public proof.
    expect(JSON.stringify(proof)).not.toContain(mine.entry?.salt);
  });

  it("admits at the set rate, each position once even with two admitters at once", async () => {
    const dropId = await queuedDrop();
    const players = await createPlayers(db, 8);
    for (const playerId of players) await joinQueue(db, { dropId, playerId });
    await startNow(dropId);
    await pass(dropId);
    await oweAdmissions(dropId);
    const passes = await Promise.all([
      admitWaitingRooms(db, { settleSeconds: 0 }),
      admitWaitingRooms(db, { settleSeconds: 0 }),
    ]);
    const admitted = passes.flat().filter((p) => p.dropId === dropId);
    expect(admitted.reduce((n, p) => n + p.admitted, 0)).toBe(3);
    const places = await db.select().from(queuePlaces).where(eq(queuePlaces.dropId, dropId));
    expect(places.map((p) => p.position).sort((x, y) => (x ?? 0) - (y ?? 0))).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    expect(
      places
        .filter((p) => p.admittedAt !== null)
        .map((p) => p.position)
        .sort(),
    ).toEqual([1, 2, 3]);
    const stats = await getQueueStats(db, dropId);
    expect(stats).toMatchObject({ queueLength: 5, admitted: 3, estimatedClearSeconds: 17 });

    const first = places.find((p) => p.position === 1);
    const view = await getQueueView(db, { dropId, playerId: first?.playerId as string });
    expect(view.state).toBe("admitted");
    expect(
      checkAdmission(view.admission?.token, { dropId, playerId: first?.playerId as string }),
    ).toBe("admitted");
    const fourth = places.find((p) => p.position === 4);
    expect(await getQueueView(db, { dropId, playerId: fourth?.playerId as string })).toMatchObject({
      state: "waiting",
      ahead: 0,
      admission: null,
    });
  });

  it("is not skipped by a join still committing, and one admitter works a room at a time", async () => {
    const dropId = await queuedDrop();
    const [early, joining] = (await createPlayers(db, 2)) as [string, string];
    await joinQueue(db, { dropId, playerId: early });
    await startNow(dropId);
    await db.transaction(async (tx) => {
      // A join's insert holds its foreign key's lock on the room's row until it commits.
      await tx.execute(sql`
        insert into queue_places (drop_id, player_id, pseudonym, salt, joined_at)
        values (${dropId}, ${joining}, ${"f".repeat(64)}, decode('00', 'hex'), now())`);
      expect(await pass(dropId)).toMatchObject({ shuffled: 1 });
    });
    // An admitter already working the room (holding its lock) makes another one skip it.
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${ROOM_LOCK}, hashtext(${dropId}))`);
      expect(await pass(dropId)).toMatchObject({ busy: true, admitted: 0 });
    });
  });

  it("places a join that began before the start but ended after the shuffle as an arrival", async () => {
    const dropId = await queuedDrop();
    const [early, slow] = (await createPlayers(db, 2)) as [string, string];
    await joinQueue(db, { dropId, playerId: early });
    await db.transaction(async (tx) => {
      // The drop starts a millisecond after the join's transaction began.
      const [began] = await tx.execute<{ at: string }>(sql`select now()::text as at`);
      await db
        .update(drops)
        .set({
          startsAt: sql`date_trunc('milliseconds', ${began?.at}::timestamptz) + interval '1 ms'`,
        })
        .where(eq(drops.id, dropId));
      await untilStarted(dropId);
      expect(await pass(dropId)).toMatchObject({ shuffled: 1 });
      await joinRoom(tx, { dropId, playerId: slow });
    });
    expect(await pass(dropId)).toMatchObject({ placed: 1 });
    const proof = await getQueueProof(db, dropId);
    expect(proof.order).toHaveLength(2);
    // Placed after the shuffle, so published with a time after the start: the replay agrees.
    const arrival = proof.entries.find((e) => e.pseudonym === proof.order?.[1]);
    expect(Date.parse(arrival?.joinedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(proof.startsAt));
    expect(replayQueueProof(proof)).toMatchObject({ ok: true });
  });

  it("works every room when one of them fails", async () => {
    const broken = await queuedDrop();
    const sound = await queuedDrop();
    const [a, b, c] = (await createPlayers(db, 3)) as [string, string, string];
    for (const dropId of [broken, sound]) await joinQueue(db, { dropId, playerId: a });
    // A superseded place already holding position 1: the broken room's shuffle cannot give it.
    await db.execute(sql`
      insert into queue_places (drop_id, player_id, pseudonym, salt, joined_at, position, superseded_at)
      values (${broken}, ${b}, ${"e".repeat(64)}, decode('00', 'hex'), now(), 1, now())`);
    await joinQueue(db, { dropId: sound, playerId: c });
    await startNow(broken);
    await startNow(sound);
    const passes = await admitWaitingRooms(db, { settleSeconds: 0 });
    expect(passes.find((p) => p.dropId === broken)).toMatchObject({ failed: true, shuffled: 0 });
    expect(passes.find((p) => p.dropId === sound)).toMatchObject({ failed: false, shuffled: 2 });
    // Mended and ended, the broken room is drawn as it closes: later passes of other tests run clean.
    await db.execute(sql`delete from queue_places where drop_id = ${broken} and player_id = ${b}`);
    await db.update(drops).set({ endsAt: sql`now()` }).where(eq(drops.id, broken));
    expect(await pass(broken)).toMatchObject({ closed: true, shuffled: 1 });
  });

  it("admits nobody while the drop is paused: their admissions would run out unused", async () => {
    const dropId = await queuedDrop();
    const [player] = (await createPlayers(db, 1)) as [string];
    await joinQueue(db, { dropId, playerId: player });
    await startNow(dropId);
    await db.update(drops).set({ pausedAt: sql`now()` }).where(eq(drops.id, dropId));
    await pass(dropId);
    await oweAdmissions(dropId);
    expect(await pass(dropId)).toMatchObject({ admitted: 0 });
    expect((await getQueueView(db, { dropId, playerId: player })).state).toBe("waiting");
    await db.update(drops).set({ pausedAt: null }).where(eq(drops.id, dropId));
    await oweAdmissions(dropId);
    expect(await pass(dropId)).toMatchObject({ admitted: 1 });
  });

  it("gives admitted players their turn back after a pause", async () => {
    const dropId = await queuedDrop();
    const [player, admin] = (await createPlayers(db, 2)) as [string, string];
    await joinQueue(db, { dropId, playerId: player });
    await startNow(dropId);
    await pass(dropId);
    await oweAdmissions(dropId);
    expect(await pass(dropId)).toMatchObject({ admitted: 1 });
    await updateDrop(db, dropId, { paused: true }, { actorId: admin });
    // A ten-minute pause, during which the one-minute admission ran out unused.
    await db.execute(
      sql`update drops set paused_at = now() - interval '10 minutes' where id = ${dropId}`,
    );
    await db.execute(sql`
      update queue_places set admission_expires_at = now() - interval '9 minutes'
      where drop_id = ${dropId}`);
    expect((await getQueueView(db, { dropId, playerId: player })).state).toBe("admission_expired");
    await updateDrop(db, dropId, { paused: false }, { actorId: admin });
    const view = await getQueueView(db, { dropId, playerId: player });
    expect(view.state).toBe("admitted");
    expect(checkAdmission(view.admission?.token, { dropId, playerId: player })).toBe("admitted");
  });

  it("lets the admin change the rate live, on the record", async () => {
    const dropId = await queuedDrop();
    const [admin] = (await createPlayers(db, 1, { role: "admin" })) as [string];
    const stats = await setAdmissionRate(db, { dropId, ratePerMinute: 1200, actorId: admin });
    expect(stats.admissionRatePerMinute).toBe(1200);
    const [event] = await db
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.subject, `drop:${dropId}`), eq(auditEvents.action, "queue_rate_set")),
      );
    expect(event?.data).toEqual({
      before: { admissionRatePerMinute: 18 },
      after: { admissionRatePerMinute: 1200 },
    });
  });

  it("sends an expired admission to the back under a new pseudonym; the proof still replays", async () => {
    const dropId = await queuedDrop();
    const [first, second] = (await createPlayers(db, 2)) as [string, string];
    await joinQueue(db, { dropId, playerId: first });
    await joinQueue(db, { dropId, playerId: second });
    await startNow(dropId);
    await pass(dropId);
    await oweAdmissions(dropId);
    await pass(dropId);
    await db
      .update(queuePlaces)
      .set({ admissionExpiresAt: sql`now() - interval '1 second'` })
      .where(eq(queuePlaces.dropId, dropId));
    const expired = await getQueueView(db, { dropId, playerId: first });
    expect(expired).toMatchObject({ state: "admission_expired", admission: null });
    const back = await joinQueue(db, { dropId, playerId: first });
    expect(back.state).toBe("waiting");
    expect(back.pseudonym).not.toBe(expired.pseudonym);
    await pass(dropId);
    const proof = await getQueueProof(db, dropId);
    expect(proof.order).toHaveLength(3);
    expect(proof.order?.at(-1)).toBe(back.pseudonym);
    expect(replayQueueProof(proof).ok).toBe(true);
  });

  it("admits nobody while sold out, resumes when units come back, and closes at the end", async () => {
    const dropId = await queuedDrop({ units: 1 });
    const players = await createPlayers(db, 5);
    for (const playerId of players) await joinQueue(db, { dropId, playerId });
    await startNow(dropId);
    await pass(dropId);
    await oweAdmissions(dropId);
    expect(await pass(dropId)).toMatchObject({ admitted: 3 });
    const byPosition = async (position: number) =>
      (await db.select().from(queuePlaces).where(eq(queuePlaces.dropId, dropId))).find(
        (p) => p.position === position,
      )?.playerId as string;
    const winner = await byPosition(1);
    await claimDrop(db, { dropId, playerId: winner, admission: "admitted" });
    expect((await getQueueStats(db, dropId)).claimedAfterAdmission).toBe(1);
    // Sold out: nobody more is admitted, but the room stays open and admissions stand.
    await oweAdmissions(dropId);
    expect(await pass(dropId)).toMatchObject({ admitted: 0, closed: false });
    expect((await getQueueView(db, { dropId, playerId: await byPosition(2) })).state).toBe(
      "admitted",
    );
    const [newcomer] = (await createPlayers(db, 1)) as [string];
    expect((await joinQueue(db, { dropId, playerId: newcomer })).state).toBe("waiting");
    // A unit comes back (an expired or reversed claim): admissions resume.
    await db.execute(sql`update drop_units set status = 'available' where drop_id = ${dropId}`);
    await oweAdmissions(dropId);
    expect(await pass(dropId)).toMatchObject({ admitted: 3 });
    // The drop ends: the room closes, a place admitted before still sees its admission.
    await db.update(drops).set({ endsAt: sql`now()` }).where(eq(drops.id, dropId));
    expect(await pass(dropId)).toMatchObject({ closed: true });
    expect(
      await refusalOf(joinQueue(db, { dropId, playerId: players[0] as string }), "joined"),
    ).toBe("queue_closed");
    expect((await getQueueView(db, { dropId, playerId: winner })).state).toBe("admitted");
    const [outsider] = (await createPlayers(db, 1)) as [string];
    expect((await getQueueView(db, { dropId, playerId: outsider })).state).toBe("closed");
  });
});

describe("the public proof", () => {
  it("is built at most once a second for a crowd of readers; the page counts entries cheaply", async () => {
    const dropId = await queuedDrop();
    const [a, b] = (await createPlayers(db, 2)) as [string, string];
    await joinQueue(db, { dropId, playerId: a });
    const at = 1_000_000;
    const first = await getCachedQueueProof(db, dropId, at);
    await joinQueue(db, { dropId, playerId: b });
    expect(await getCachedQueueProof(db, dropId, at + 999)).toBe(first);
    expect((await getCachedQueueProof(db, dropId, at + 1_000)).entries).toHaveLength(2);
    expect(await countQueueEntries(db, dropId)).toBe(2);
    expect(await refusalOf(getCachedQueueProof(db, "nope", at), "served")).toBe("not_found");
  });
});

describe("claims of a drop with a waiting room", () => {
  it("need an admission: none or a forged one is admission_required, a stale one admission_expired", async () => {
    const dropId = await queuedDrop({ startOffsetMs: -60_000 });
    const [player] = (await createPlayers(db, 1)) as [string];
    const claim = (admission?: "admitted" | "expired" | "invalid" | "missing") =>
      refusalOf(
        claimDrop(db, { dropId, playerId: player, idempotencyKey: "k1", admission }),
        "claimed",
      );
    expect(await claim()).toBe("admission_required");
    expect(await claim("invalid")).toBe("admission_required");
    expect(await claim("expired")).toBe("admission_expired");
    // The refusals released the key: the retry with an admission is judged afresh.
    expect(await claim("admitted")).toBe("claimed");
  });

  it("without an admission are refused before the claim engine does any work", async () => {
    const dropId = await queuedDrop({ startOffsetMs: -60_000 });
    const [player] = (await createPlayers(db, 1)) as [string];
    for (const admission of [undefined, "invalid", "expired"] as const) {
      await refusalOf(
        claimDrop(db, { dropId, playerId: player, idempotencyKey: "bot", admission }),
        "claimed",
      );
    }
    const traces = await db.execute<{ keys: number; counts: number; events: number }>(sql`
      select (select count(*)::int from idempotency_keys where player_id = ${player}) as keys,
             (select count(*)::int from rate_limits where key like ${`%${player}%`}) as counts,
             (select count(*)::int from audit_events where actor_id = ${player}) as events`);
    expect(traces[0]).toEqual({ keys: 0, counts: 0, events: 0 });
  });

  it("are unchanged for a drop without one, token or not", async () => {
    const { dropId } = await createTestDrop(db, { units: 2 });
    const [a, b] = (await createPlayers(db, 2)) as [string, string];
    expect(await refusalOf(claimDrop(db, { dropId, playerId: a }), "claimed")).toBe("claimed");
    expect(
      await refusalOf(claimDrop(db, { dropId, playerId: b, admission: "invalid" }), "claimed"),
    ).toBe("claimed");
  });
});

describe("a drop's waiting-room settings", () => {
  const prizeFor = async (units: number) => {
    const { prizeId } = await createTestDrop(db, { units: 1 });
    await db.execute(sql`update prizes set quantity = quantity + ${units} where id = ${prizeId}`);
    return prizeId;
  };
  const input = (prizeId: string, units: number, extra: Record<string, unknown> = {}) =>
    createDropSchema.parse({
      title: "Room drop",
      prizeId,
      units,
      startsAt: new Date(Date.now() + 3_600_000),
      endsAt: new Date(Date.now() + 7_200_000),
      ...extra,
    });
  const roomOf = async (dropId: string) =>
    (await db.select().from(dropQueues).where(eq(dropQueues.dropId, dropId)))[0];

  it("is on by default from the threshold (1,000 units), off below it", async () => {
    const prizeId = await prizeFor(1100);
    const big = await createDrop(db, input(prizeId, 1000));
    const small = await createDrop(db, input(prizeId, 99));
    expect(await roomOf(big.id)).toMatchObject({ enabled: true, preQueueMinutes: 15 });
    expect(await roomOf(small.id)).toBeUndefined();
  });

  it("is refused for a lottery, and stays on once its pre-queue opened", async () => {
    const prizeId = await prizeFor(10);
    expect(
      await refusalOf(
        createDrop(
          db,
          input(prizeId, 5, { allocation: "lottery", waitingRoom: { enabled: true } }),
        ),
        "created",
      ),
    ).toBe("invalid_input");
    const dropId = await queuedDrop();
    const [admin] = (await createPlayers(db, 1, { role: "admin" })) as [string];
    const actor = { actorId: admin };
    expect(
      await refusalOf(updateDrop(db, dropId, { waitingRoom: { enabled: false } }, actor), "ok"),
    ).toBe("queue_open");
    const earlier = new Date(Date.now() + 300_000);
    expect(await refusalOf(updateDrop(db, dropId, { startsAt: earlier }, actor), "ok")).toBe(
      "queue_open",
    );
    await updateDrop(db, dropId, { waitingRoom: { admissionTtlSeconds: 300 } }, actor);
    expect(await roomOf(dropId)).toMatchObject({ enabled: true, admissionTtlSeconds: 300 });
  });
});

describe("an admin starting a drop now", () => {
  it("draws the pre-queue as at the start, once: a second start, or a paused drop, is refused", async () => {
    const dropId = await queuedDrop({ startOffsetMs: 600_000 });
    const [admin] = (await createPlayers(db, 1, { role: "admin" })) as [string];
    const players = await createPlayers(db, 3);
    for (const playerId of players) await joinQueue(db, { dropId, playerId });
    const started = await updateDrop(db, dropId, { start: true }, { actorId: admin });
    expect(started.status).toBe("live");
    expect(await pass(dropId)).toMatchObject({ shuffled: 3 });
    expect(replayQueueProof(await getQueueProof(db, dropId)).ok).toBe(true);
    // A double click: the second finds the drop started and is told so.
    expect(await refusalOf(updateDrop(db, dropId, { start: true }, { actorId: admin }), "ok")).toBe(
      "drop_started",
    );
    const [event] = await db
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.subject, `drop:${dropId}`), eq(auditEvents.action, "drop_start_now")),
      );
    expect(event?.outcome).toBe("ok");

    // Two starts at once: exactly one starts the drop, the other is told it started.
    const raced = await queuedDrop();
    const results = await Promise.allSettled([
      updateDrop(db, raced, { start: true }, { actorId: admin }),
      updateDrop(db, raced, { start: true }, { actorId: admin }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(
      results.flatMap((r) =>
        r.status === "rejected" ? [(r.reason as { code: string }).code] : [],
      ),
    ).toEqual(["drop_started"]);
    const starts = await db
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.subject, `drop:${raced}`), eq(auditEvents.action, "drop_start_now")),
      );
    expect(starts).toHaveLength(1);

    const paused = await queuedDrop();
    await updateDrop(db, paused, { paused: true }, { actorId: admin });
    expect(await refusalOf(updateDrop(db, paused, { start: true }, { actorId: admin }), "ok")).toBe(
      "paused",
    );
    const mixed = { start: true as const, title: "And a new title" };
    expect(
      await refusalOf(updateDrop(db, await queuedDrop(), mixed, { actorId: admin }), "ok"),
    ).toBe("invalid_input");
  });
});

describe("an ended room", () => {
  it("ended before its draw (start now, then end) is drawn and logged as it closes", async () => {
    const dropId = await queuedDrop();
    const players = await createPlayers(db, 2);
    for (const playerId of players) await joinQueue(db, { dropId, playerId });
    await startNow(dropId);
    // Ended before any pass drew it, e.g. within the settle after the start.
    await db.update(drops).set({ endsAt: sql`now()` }).where(eq(drops.id, dropId));
    expect(await admitWaitingRooms(db, { settleSeconds: 3_600 })).toContainEqual(
      expect.objectContaining({ dropId, closed: true, shuffled: 2 }),
    );
    const proof = await getQueueProof(db, dropId);
    expect(proof.order).toHaveLength(2);
    expect(proof.draw?.leaf).toMatch(/^0x/);
    expect(replayQueueProof(proof).ok).toBe(true);
    expect((await getQueueStats(db, dropId)).shuffledAt).not.toBeNull();
  });
});

describe("leaving a waiting room", () => {
  it("before the draw removes the entry: the draw and the replay see those who stayed", async () => {
    const dropId = await queuedDrop();
    const [stays, leaves] = (await createPlayers(db, 2)) as [string, string];
    await joinQueue(db, { dropId, playerId: stays });
    await joinQueue(db, { dropId, playerId: leaves });
    const left = await leaveQueue(db, { dropId, playerId: leaves });
    expect(left).toMatchObject({ state: "not_joined", pseudonym: null });
    // Idempotent: leaving again changes nothing.
    expect((await leaveQueue(db, { dropId, playerId: leaves })).pseudonym).toBeNull();
    expect((await getQueueProof(db, dropId)).entries).toHaveLength(1);
    await startNow(dropId);
    expect(await pass(dropId)).toMatchObject({ shuffled: 1 });
    expect(replayQueueProof(await getQueueProof(db, dropId)).ok).toBe(true);
  });

  it("after the draw keeps the place in the proof, and the admitter passes over it", async () => {
    const dropId = await queuedDrop();
    const players = (await createPlayers(db, 3)) as [string, string, string];
    for (const playerId of players) await joinQueue(db, { dropId, playerId });
    await startNow(dropId);
    await pass(dropId);
    const views = await Promise.all(
      players.map((playerId) => getQueueView(db, { dropId, playerId })),
    );
    const [first, second, third] = players
      .map((playerId, i) => ({ playerId, position: views[i]?.position as number }))
      .sort((a, b) => a.position - b.position) as Array<{ playerId: string; position: number }>;
    const gone = await leaveQueue(db, { dropId, playerId: first?.playerId as string });
    expect(gone.state).toBe("not_joined");
    // Admissions owed for 10 s at 18 a minute: 3 places, of which one left.
    await oweAdmissions(dropId);
    expect(await pass(dropId)).toMatchObject({ admitted: 2 });
    for (const p of [second, third]) {
      expect((await getQueueView(db, { dropId, playerId: p?.playerId as string })).state).toBe(
        "admitted",
      );
    }
    // An admitted place is claimed or runs out; it is not left.
    expect(
      await refusalOf(leaveQueue(db, { dropId, playerId: second?.playerId as string }), "left"),
    ).toBe("queue_admitted");
    // Joining again is a new place at the back; the proof keeps the place that left.
    const back = await joinQueue(db, { dropId, playerId: first?.playerId as string });
    await pass(dropId);
    const proof = await getQueueProof(db, dropId);
    expect(proof.order).toHaveLength(4);
    expect(proof.order?.at(-1)).toBe(back.pseudonym);
    // The place that left is marked so in the proof; the replay orders it like the others.
    expect(proof.entries.filter((e) => e.left).map((e) => e.pseudonym)).toEqual([
      views.find((v) => v.position === first?.position)?.pseudonym,
    ]);
    expect(replayQueueProof(proof).ok).toBe(true);
  });

  it("is audited, and after three leaves joining that room again is refused in words", async () => {
    const dropId = await queuedDrop();
    const other = await queuedDrop();
    const [player] = (await createPlayers(db, 1)) as [string];
    const pseudonyms: string[] = [];
    for (let i = 0; i < MAX_QUEUE_LEAVES; i++) {
      pseudonyms.push((await joinQueue(db, { dropId, playerId: player })).pseudonym as string);
      await leaveQueue(db, { dropId, playerId: player, ip: "192.0.2.7", requestId: `leave-${i}` });
      // Leaving again changes nothing, and is not counted.
      await leaveQueue(db, { dropId, playerId: player });
    }
    const refused = await joinQueue(db, { dropId, playerId: player }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "queue_left_too_often", status: 409 });
    expect(String((refused as Error).message)).toMatch(/left this waiting room 3 times/);
    // Another drop's room is not affected.
    expect((await joinQueue(db, { dropId: other, playerId: player })).state).toBe("pre_queue");
    const events = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "queue_leave"), eq(auditEvents.actorId, player)));
    expect(events.map((e) => e.subject)).toEqual(Array(MAX_QUEUE_LEAVES).fill(`drop:${dropId}`));
    expect(events.map((e) => (e.data as { pseudonym: string }).pseudonym).sort()).toEqual(
      pseudonyms.sort(),
    );
    expect(events.map((e) => e.requestId).sort()).toEqual(["leave-0", "leave-1", "leave-2"]);
  });

  it("before being placed removes the late entry, so the arrivals still replay in order", async () => {
    const dropId = await queuedDrop();
    const [early, late] = (await createPlayers(db, 2)) as [string, string];
    await joinQueue(db, { dropId, playerId: early });
    await startNow(dropId);
    await pass(dropId);
    await joinQueue(db, { dropId, playerId: late });
    await leaveQueue(db, { dropId, playerId: late });
    await pass(dropId);
    const proof = await getQueueProof(db, dropId);
    expect(proof.entries).toHaveLength(1);
    expect(replayQueueProof(proof).ok).toBe(true);
  });
});
