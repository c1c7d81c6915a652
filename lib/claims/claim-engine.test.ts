import { randomBytes } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Sql } from "postgres";
import { describe, expect, it } from "vitest";
import {
  auditEvents,
  drops,
  dropUnits,
  giftCodes,
  idempotencyKeys,
  prizes,
  redemptions,
} from "@/db/schema";
import { importGiftCodes } from "@/lib/codes/import-codes";
import { createDrop } from "@/lib/drops/drops";
import { createDropSchema } from "@/lib/drops/model";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { refusalOf } from "@/test/refusal";
import { claimDrop } from "./claim-drop";
import {
  type ClaimOutcome,
  type ClaimRequest,
  claimAlone,
  grantLotteryWins,
  RATE_WINDOW_SECONDS,
  runBatch,
} from "./claim-engine";

const db = connectTestDb(20);

/** "claimed", the refusal reason, or "error" for a request that failed. */
function answer(result: PromiseSettledResult<ClaimOutcome> | ClaimOutcome | undefined): string {
  if (result === undefined) return "missing";
  if ("status" in result) return result.status === "rejected" ? "error" : answer(result.value);
  return result.ok ? "claimed" : result.reason;
}

const claimAnswer = (promise: Promise<unknown>) => refusalOf(promise, "claimed");

async function unitIds(dropId: string): Promise<number[]> {
  const rows = await db
    .select({ id: dropUnits.id })
    .from(dropUnits)
    .where(eq(dropUnits.dropId, dropId))
    .orderBy(asc(dropUnits.id));
  return rows.map((r) => r.id);
}

/**
 * Resolves once `sessions` sessions of this test's database wait on a lock, or once `pending`
 * has settled without waiting (the defect some tests look for). Each file has its own database,
 * so no other test's sessions are counted.
 */
async function untilWaiting(sessions: number, pending: Promise<unknown>): Promise<void> {
  let settled = false;
  pending.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (;;) {
    const [row] = await db.execute<{ n: number }>(sql`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`);
    if ((row?.n ?? 0) >= sessions || settled) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

type Session = {
  run: (text: string, ...params: Array<string | number>) => Promise<unknown>;
  end: (how: "commit" | "rollback") => Promise<void>;
};

/**
 * Runs `scenario` with another transaction of its own connection, driven statement by statement.
 * Whatever the scenario's claims are doing when it fails, the transaction ends and they are
 * waited for, so no waiting session is left behind for the next test to count.
 */
async function withOtherTransaction(
  scenario: (other: Session, started: Array<Promise<unknown>>) => Promise<void>,
): Promise<void> {
  // The pool behind the test database (drizzle keeps it as $client; Db's type leaves it out).
  const connection = await (db as unknown as { $client: Sql }).$client.reserve();
  let open = true;
  const other: Session = {
    run: (text, ...params) => connection.unsafe(text, params),
    end: async (how) => {
      open = false;
      await connection.unsafe(how);
    },
  };
  const started: Array<Promise<unknown>> = [];
  await connection`begin`;
  try {
    await scenario(other, started);
  } finally {
    if (open) await connection`rollback`;
    connection.release();
    await Promise.allSettled(started);
  }
}

/** The rate-limit window (RATE_WINDOW_SECONDS) the database clock is in. */
async function rateWindow(at: "now" | "waiting"): Promise<number> {
  const [row] = await db.execute<{ w: number }>(
    at === "now"
      ? sql`select floor(extract(epoch from clock_timestamp()) / ${RATE_WINDOW_SECONDS})::int as w`
      : sql`select max(floor(extract(epoch from xact_start) / ${RATE_WINDOW_SECONDS}))::int as w
            from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`,
  );
  return row?.w ?? 0;
}

const claims = (dropId: string, players: string[], extra: Partial<ClaimRequest> = {}) =>
  players.map((playerId) => ({ dropId, playerId, ...extra }));

/**
 * Runs `scenario` while inserting a redemption for `playerId` fails with `sqlState`, the first
 * `times` times (a trigger, so the failure comes from the database as a real one would). Returns
 * how many inserts for the player were tried.
 */
async function withFailingRedemption(
  { playerId, sqlState, times }: { playerId: string; sqlState: string; times: number },
  scenario: () => Promise<void>,
): Promise<number> {
  await db.execute(
    sql.raw(`
    create sequence test_redemption_tries;
    create function test_fail_redemption() returns trigger language plpgsql as $$
    begin
      if new.player_id = '${playerId}' and nextval('test_redemption_tries') <= ${times} then
        raise exception 'injected failure' using errcode = '${sqlState}';
      end if;
      return new;
    end $$;
    create trigger test_fail_redemption before insert on redemptions
      for each row execute function test_fail_redemption();`),
  );
  try {
    await scenario();
    const [row] = await db.execute<{ n: number }>(
      sql`select coalesce((select last_value::int from test_redemption_tries where is_called), 0) as n`,
    );
    return row?.n ?? 0;
  } finally {
    await db.execute(
      sql.raw(`
      drop trigger test_fail_redemption on redemptions;
      drop function test_fail_redemption();
      drop sequence test_redemption_tries;`),
    );
  }
}

describe("claim engine: one request fails alone", () => {
  it("answers every claim of a batch whose addresses are not all addresses", async () => {
    const { dropId } = await createTestDrop(db, { units: 10 });
    const players = await createPlayers(db, 4);
    const addresses = ["1.2.3.4:5678", "1.2.3.4.5", "::::", "203.0.113.5"];
    const results = await runBatch(
      db,
      dropId,
      players.map((playerId, i) => ({ dropId, playerId, ip: addresses[i] })),
    );
    expect(results.map(answer)).toEqual(["claimed", "claimed", "claimed", "claimed"]);
    const rows = await db
      .select({ actor: auditEvents.actorId, ip: auditEvents.ip })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "claim"), eq(auditEvents.subject, `drop:${dropId}`)));
    const ipOf = new Map(rows.map((r) => [r.actor, r.ip]));
    expect(players.map((p) => ipOf.get(p))).toEqual(["1.2.3.4", null, null, "203.0.113.5"]);
  });

  it("gives a failure tied to one request to that request alone", async () => {
    const { dropId } = await createTestDrop(db, { units: 10 });
    const players = await createPlayers(db, 5);
    const requests: ClaimRequest[] = claims(dropId, players);
    requests[3] = { ...(requests[3] as ClaimRequest), tokenId: "not-a-token-id" };
    const results = await runBatch(db, dropId, requests);
    expect(results.map(answer)).toEqual(["claimed", "claimed", "claimed", "error", "claimed"]);
    expect(await unitIds(dropId)).toHaveLength(10);
    const [left] = await db.execute<{ n: number }>(sql`
      select count(*)::int as n from drop_units where drop_id = ${dropId} and status = 'available'`);
    expect(left?.n).toBe(6);
  });
});

describe("claim engine: claim numbers", () => {
  async function prize(kind: "gift_card" | "crypto", quantity: number): Promise<string> {
    const [row] = await db
      .insert(prizes)
      .values({ name: `Test ${kind}`, kind, valueCents: 1000, quantity })
      .returning({ id: prizes.id });
    if (!row) throw new Error("no prize");
    return row.id;
  }

  it("numbers only the claims issued, so a claim refused for want of a code leaves no gap", async () => {
    // Gift-card pool first (one unit, its code set aside), then a crypto pool: a player's two claims
    // of one batch land one in each, and only the second is issued.
    const [giftCard, crypto] = [await prize("gift_card", 1), await prize("crypto", 1)];
    // The pool's one code is set aside after the drop is made: a drop takes no more units than
    // codes, but a pool may shrink below them later.
    await importGiftCodes(db, giftCard, `code\nGIFT-${randomBytes(4).toString("hex")}\n`);
    const quarantine = (at: Date | null) =>
      db.update(giftCodes).set({ quarantinedAt: at }).where(eq(giftCodes.prizeId, giftCard));
    const { id: dropId } = await createDrop(
      db,
      createDropSchema.parse({
        title: "Two pools",
        pools: [
          { prizeId: giftCard, units: 1 },
          { prizeId: crypto, units: 1 },
        ],
        startsAt: new Date(Date.now() - 60_000),
        endsAt: new Date(Date.now() + 3_600_000),
        perPlayerLimit: 2,
      }),
    );
    await quarantine(new Date());
    const [playerId] = (await createPlayers(db, 1)) as [string];
    const first = await runBatch(db, dropId, claims(dropId, [playerId, playerId]));
    expect(first.map(answer)).toEqual(["sold_out", "claimed"]);
    // The gift-card unit gets its code: the player's next claim is their second, numbered 2.
    await quarantine(null);
    const [next] = await runBatch(db, dropId, claims(dropId, [playerId]));
    expect(answer(next)).toBe("claimed");
    const seqs = await db
      .select({ seq: redemptions.claimSeq })
      .from(redemptions)
      .where(eq(redemptions.dropId, dropId))
      .orderBy(asc(redemptions.claimSeq));
    expect(seqs.map((r) => r.seq)).toEqual([1, 2]);
  });

  it("refuses a claim whose number is taken instead of failing it", async () => {
    const { dropId } = await createTestDrop(db, { units: 5, perPlayerLimit: 3 });
    const [playerId] = (await createPlayers(db, 1)) as [string];
    expect(answer(await claimAlone(db, { dropId, playerId }))).toBe("claimed");
    // A gap left by an older version: the one claim so far holds number 2.
    await db.update(redemptions).set({ claimSeq: 2 }).where(eq(redemptions.dropId, dropId));
    const [refused, other] = await runBatch(db, dropId, [
      { dropId, playerId },
      ...claims(dropId, (await createPlayers(db, 1)) as string[]),
    ]);
    expect([answer(refused), answer(other)]).toEqual(["limit_reached", "claimed"]);
    const [held] = await db.execute<{ n: number }>(sql`
      select count(*)::int as n from drop_units where drop_id = ${dropId} and status = 'claimed'`);
    expect(held?.n).toBe(2);
  });
});

describe("claim engine: failures of one claim's data", () => {
  it("sets aside a gift code no key decrypts and gives the next one", async () => {
    const { dropId, prizeId } = await createTestDrop(db, {
      units: 2,
      kind: "gift_card",
      codes: ["GIFT-FIRST-CODE", "GIFT-SECOND-CODE"],
    });
    // The first code in id order (the one every claim would take first) lost its key.
    const [first] = await db
      .select({ id: giftCodes.id })
      .from(giftCodes)
      .where(eq(giftCodes.prizeId, prizeId))
      .orderBy(asc(giftCodes.id))
      .limit(1);
    await db
      .update(giftCodes)
      .set({ keyId: "retired-key" })
      .where(eq(giftCodes.id, first?.id ?? ""));
    const [playerId] = (await createPlayers(db, 1)) as [string];
    const outcome = await claimAlone(db, { dropId, playerId });
    expect(outcome).toMatchObject({ ok: true });
    expect(outcome.ok && outcome.code).toMatch(/^GIFT-(FIRST|SECOND)-CODE$/);
    const codes = await db
      .select({ id: giftCodes.id, quarantined: giftCodes.quarantinedAt })
      .from(giftCodes)
      .where(eq(giftCodes.prizeId, prizeId));
    expect(codes.filter((c) => c.quarantined).map((c) => c.id)).toEqual([first?.id]);
    const events = await db
      .select({ reason: auditEvents.reason })
      .from(auditEvents)
      .where(eq(auditEvents.subject, `gift_code:${first?.id}`));
    expect(events).toEqual([{ reason: "undecryptable" }]);
  });

  it("fails alone a replay whose code can no longer be decrypted", async () => {
    const { dropId } = await createTestDrop(db, { units: 5 });
    const [replayer, other] = (await createPlayers(db, 2)) as [string, string];
    const request = {
      dropId,
      playerId: replayer,
      idempotencyKey: "lost-key",
      requestHash: new Uint8Array([3]),
    };
    expect(answer(await claimAlone(db, request))).toBe("claimed");
    await db
      .update(redemptions)
      .set({ codeKeyId: "retired-key" })
      .where(eq(redemptions.playerId, replayer));
    const results = await runBatch(db, dropId, [request, { dropId, playerId: other }]);
    expect(results.map(answer)).toEqual(["error", "claimed"]);
  });

  it("treats a key purged while the batch reads it as a fresh key", async () => {
    const { dropId } = await createTestDrop(db, { units: 5 });
    const [playerId] = (await createPlayers(db, 1)) as [string];
    // An old answer under the key; the purge deletes it right after the batch found it taken
    // (a trigger after the batch's insert, so between its two statements).
    await db.insert(idempotencyKeys).values({
      playerId,
      key: "purged-key",
      requestHash: new Uint8Array([1]),
      status: 409,
      response: { ok: false, reason: "sold_out", limit: 1 },
    });
    await db.execute(
      sql.raw(`
      create function test_purge_key() returns trigger language plpgsql as $$
      begin
        delete from idempotency_keys where key = 'purged-key' and status <> 0;
        return null;
      end $$;
      create trigger test_purge_key after insert on idempotency_keys
        for each statement execute function test_purge_key();`),
    );
    try {
      const [result] = await runBatch(db, dropId, [
        { dropId, playerId, idempotencyKey: "purged-key", requestHash: new Uint8Array([1]) },
      ]);
      expect(answer(result)).toBe("claimed");
    } finally {
      await db.execute(
        sql.raw(`
        drop trigger test_purge_key on idempotency_keys;
        drop function test_purge_key();`),
      );
    }
  });
});

describe("claim engine: which failures are run again", () => {
  it("fails the whole batch when a commit may have happened (40003), running nothing again", async () => {
    const { dropId } = await createTestDrop(db, { units: 5 });
    const players = (await createPlayers(db, 3)) as [string, string, string];
    let results: PromiseSettledResult<ClaimOutcome>[] = [];
    await withFailingRedemption({ playerId: players[1], sqlState: "40003", times: 9 }, async () => {
      results = await runBatch(db, dropId, claims(dropId, players));
    });
    expect(results.map(answer)).toEqual(["error", "error", "error"]);
    expect(await db.$count(redemptions, eq(redemptions.dropId, dropId))).toBe(0);
  });

  it("tries a single claim that lost a deadlock once more", async () => {
    const { dropId } = await createTestDrop(db, { units: 5 });
    const [once, always] = (await createPlayers(db, 2)) as [string, string];
    const retried = await withFailingRedemption(
      { playerId: once, sqlState: "40P01", times: 1 },
      async () => expect(answer(await claimAlone(db, { dropId, playerId: once }))).toBe("claimed"),
    );
    expect(retried).toBe(2);
    const tries = await withFailingRedemption(
      { playerId: always, sqlState: "40001", times: 9 },
      async () => {
        const [result] = await runBatch(db, dropId, [{ dropId, playerId: always }]);
        expect(answer(result)).toBe("error");
      },
    );
    expect(tries).toBe(2);
  });
});

describe("claim engine: concurrent batches of one drop", () => {
  it("never lets a waiting batch hold units, so two batches at sell-out cannot deadlock", async () => {
    const { dropId } = await createTestDrop(db, { units: 3 });
    const [, u2, u3] = await unitIds(dropId);
    const [a1, a2, b1, b2] = await createPlayers(db, 4);
    await withOtherTransaction(async (other, started) => {
      // Another transaction holds the last two units; A takes the first and waits for more.
      await other.run("select id from drop_units where id = $1 for update", Number(u2));
      await other.run("savepoint before_u3");
      await other.run("select id from drop_units where id = $1 for update", Number(u3));
      const batchA = runBatch(db, dropId, claims(dropId, [a1, a2] as string[]));
      started.push(batchA);
      await untilWaiting(1, batchA);
      // u3 comes free while A still waits for u2; then a second batch B of the drop arrives.
      await other.run("rollback to savepoint before_u3");
      const batchB = runBatch(db, dropId, claims(dropId, [b1, b2] as string[]));
      started.push(batchB);
      await untilWaiting(2, batchB);
      // Had B taken u3 and then waited for A's u1, A (waiting for u2, then u3) would close a cycle.
      const [free] = await db.execute<{ n: number }>(sql`
        select count(*)::int as n from (
          select id from drop_units where id = ${u3} for update skip locked) t`);
      expect(free?.n).toBe(1);
      await other.run("update drop_units set status = 'claimed' where id = $1", Number(u2));
      await other.end("commit");
      expect((await batchA).map(answer)).toEqual(["claimed", "claimed"]);
      expect((await batchB).map(answer)).toEqual(["sold_out", "sold_out"]);
    });
  });

  it("counts a player's claims from a concurrent batch (per-player limit above 1)", async () => {
    const { dropId } = await createTestDrop(db, { units: 5, perPlayerLimit: 2 });
    const [player] = await createPlayers(db, 1);
    const request = { dropId, playerId: player as string };
    await withOtherTransaction(async (other, started) => {
      // Every unit is held by another transaction: the first claim waits with its count taken.
      await other.run("select id from drop_units where drop_id = $1 for update", dropId);
      const first = claimAlone(db, request);
      started.push(first);
      await untilWaiting(1, first);
      // The player's rate-limit counter row would make a second claim in the same window wait
      // for the first to commit; claims straddling two windows do not, so wait for the next one.
      const window = await rateWindow("waiting");
      while ((await rateWindow("now")) <= window) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const second = claimAlone(db, request);
      started.push(second);
      await untilWaiting(2, second);
      await other.end("rollback");
      expect([answer(await first), answer(await second)]).toEqual(["claimed", "claimed"]);
    });
  });

  it("waits for a gift code held by a transaction that rolls back instead of answering sold_out", async () => {
    const { dropId, prizeId } = await createTestDrop(db, { units: 1, kind: "gift_card" });
    const [player] = await createPlayers(db, 1);
    await withOtherTransaction(async (other, started) => {
      await other.run("select id from gift_codes where prize_id = $1 for update", prizeId);
      const claim = claimAlone(db, { dropId, playerId: player as string });
      started.push(claim);
      await untilWaiting(1, claim);
      await other.end("rollback");
      expect(answer(await claim)).toBe("claimed");
    });
  });
});

describe("claim engine: idempotency", () => {
  it("refuses a key repeated in one batch with another request", async () => {
    const { dropId } = await createTestDrop(db, { units: 5 });
    const [playerId] = (await createPlayers(db, 1)) as [string];
    const key = { dropId, playerId, idempotencyKey: "dup-1" };
    const results = await runBatch(db, dropId, [
      { ...key, requestHash: new Uint8Array([1]) },
      { ...key, requestHash: new Uint8Array([2]) },
      { ...key, requestHash: new Uint8Array([1]) },
    ]);
    expect(results.map(answer)).toEqual(["claimed", "idempotency_mismatch", "claimed"]);
    const [, mismatch, replay] = results;
    expect(mismatch).toMatchObject({ value: { ok: false, replayed: true } });
    expect(mismatch).not.toHaveProperty("value.code");
    expect(replay).toMatchObject({ value: { ok: true, replayed: true } });
    // Once answered, each duplicate is judged against the stored request on its own.
    const again = await runBatch(db, dropId, [
      { ...key, requestHash: new Uint8Array([2]) },
      { ...key, requestHash: new Uint8Array([1]) },
    ]);
    expect(again.map(answer)).toEqual(["idempotency_mismatch", "claimed"]);
  });

  it("keeps no answer that may change for the key (paused, not started)", async () => {
    const { dropId } = await createTestDrop(db, {
      units: 5,
      startOffsetMs: 3_600_000,
      endOffsetMs: 7_200_000,
    });
    const [playerId] = (await createPlayers(db, 1)) as [string];
    const request = {
      dropId,
      playerId,
      idempotencyKey: "retry-1",
      requestHash: new Uint8Array([7]),
    };
    expect(await claimAnswer(claimDrop(db, request))).toBe("not_started");
    await db
      .update(drops)
      .set({ startsAt: new Date(Date.now() - 60_000), pausedAt: new Date() })
      .where(eq(drops.id, dropId));
    expect(await claimAnswer(claimDrop(db, request))).toBe("paused");
    await db.update(drops).set({ pausedAt: null }).where(eq(drops.id, dropId));
    expect(await claimAnswer(claimDrop(db, request))).toBe("claimed");
    // A final answer is kept: the same key replays it.
    const replay = await claimDrop(db, request);
    expect(replay.replayed).toBe(true);
  });
});

describe("claim engine: lottery grants", () => {
  it("gives a physical prize won at the draw the deadline the draw sets, not the drop's end", async () => {
    const { dropId } = await createTestDrop(db, {
      units: 1,
      kind: "physical",
      allocation: "lottery",
    });
    await db
      .update(drops)
      .set({ endsAt: sql`now() - interval '1 second'` })
      .where(eq(drops.id, dropId));
    const [winner] = (await createPlayers(db, 1)) as [string];
    const actionDeadline = new Date(Date.now() + 7 * 24 * 3600 * 1000);
    const [outcome] = await grantLotteryWins(db, dropId, [winner], { actionDeadline });
    expect(outcome).toMatchObject({
      ok: true,
      redemption: { status: "awaiting_action", actionDeadline: actionDeadline.toISOString() },
    });
    const [row] = await db
      .select({ deadline: redemptions.actionDeadline })
      .from(redemptions)
      .where(eq(redemptions.dropId, dropId));
    expect(row?.deadline?.toISOString()).toBe(actionDeadline.toISOString());
  });
});
