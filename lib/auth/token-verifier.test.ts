import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createDb, sqlClient } from "@/db/client";
import { apiTokens, users } from "@/db/schema";
import { databaseUrlFor } from "@/test/database-url";
import { connectTestDb, createPlayers } from "@/test/db";
import { memoryLog } from "@/test/memory-log";
import { issueApiToken, lookUpApiTokens, noteApiTokenUse, revokeApiToken } from "./api-tokens";
import {
  createTokenVerifier,
  TOKEN_CHANGES_CHANNEL,
  type TokenVerifierOptions,
} from "./token-verifier";

const db = connectTestDb();
const context = { ip: "203.0.113.21", userAgent: "vitest" };

/** A player (or another role) with one live API token. */
async function holder(overrides: Parameters<typeof createPlayers>[2] = {}) {
  const [id] = await createPlayers(db, 1, overrides);
  if (!id) throw new Error("no account");
  const issued = await issueApiToken(db, id);
  return { id, token: issued.token, tokenId: issued.id };
}

const unknownToken = () => `plt_${randomBytes(32).toString("base64url")}`;

/**
 * A verifier on the test database whose lookups and use writes are counted (and, when `gate` is
 * given, held until it resolves), with a clock the test moves. Nothing here listens unless the
 * test passes `listen`.
 */
function harness(overrides: Partial<TokenVerifierOptions> & { gate?: () => Promise<void> } = {}) {
  const lookups: number[] = [];
  const uses: string[][] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const clock = { now: Date.now() };
  const { gate, ...options } = overrides;
  const verifier = createTokenVerifier({
    async lookUp(hashes, now) {
      lookups.push(hashes.length);
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      try {
        const rows = await lookUpApiTokens(db, hashes, now);
        await gate?.();
        return rows;
      } finally {
        inFlight -= 1;
      }
    },
    async noteUse(tokenIds) {
      uses.push(tokenIds);
      await noteApiTokenUse(db, tokenIds);
    },
    cacheSeconds: 5,
    now: () => clock.now,
    // Uses are written when the test says (flushUses), never by the timer.
    flushMs: 3_600_000,
    ...options,
  });
  return { verifier, lookups, uses, clock, mostInFlight: () => mostInFlight };
}

/** A promise the test resolves by hand, for holding a lookup in flight. */
function latch() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** The notifications a verifier applied, in order ("*" for all), and a way to await one. */
function evictions() {
  const seen: string[] = [];
  let wake = () => {};
  return {
    onEvicted(userId: string | undefined) {
      seen.push(userId ?? "*");
      wake();
    },
    /** Resolves once `userId` (or "*") has been applied `count` times in all. */
    async applied(userId: string, count = 1): Promise<void> {
      while (seen.filter((s) => s === userId).length < count) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}

/**
 * A harness whose verifier LISTENs on `client` (the test database's pool by default), a cache of
 * 300 seconds (so that only a notification can evict within a test), once it is listening.
 */
async function listening(
  overrides: Parameters<typeof harness>[0] = {},
  client: postgres.Sql = sqlClient(db),
) {
  const seen = evictions();
  const parts = harness({
    cacheSeconds: 300,
    listen: (channel, onNotify, onListen) => client.listen(channel, onNotify, onListen),
    onEvicted: seen.onEvicted,
    ...overrides,
  });
  await seen.applied("*");
  return { ...parts, seen };
}

async function lastUsedAt(tokenId: string): Promise<Date | null> {
  const [row] = await db
    .select({ at: apiTokens.lastUsedAt })
    .from(apiTokens)
    .where(eq(apiTokens.id, tokenId));
  return row?.at ?? null;
}

describe("batched token lookups", () => {
  it("share one query among lookups made together; malformed tokens never reach it", async () => {
    const holders = await Promise.all(Array.from({ length: 20 }, () => holder()));
    const { verifier, lookups } = harness({ cacheSeconds: 0 });
    const unknown = unknownToken();
    const tokens = [
      ...holders.map((h) => h.token),
      "not-a-token",
      `plt_${"a".repeat(300)}`,
      unknown,
      holders[0]?.token ?? "",
    ];
    const answers = await Promise.all(tokens.map((token) => verifier.verify(token)));
    // One query for the 20 tokens and the unknown one; the repeat shares its digest.
    expect(lookups).toEqual([21]);
    expect(answers.map((a) => a?.id)).toEqual([
      ...holders.map((h) => h.id),
      undefined,
      undefined,
      undefined,
      holders[0]?.id,
    ]);
    expect(answers[0]).toMatchObject({ tokenId: holders[0]?.tokenId, role: "player" });
    expect(answers[0]).not.toHaveProperty("tokenHash");
  });

  it("run one at a time: lookups arriving meanwhile share the next, up to the batch size", async () => {
    const holders = await Promise.all(Array.from({ length: 8 }, () => holder()));
    const held = latch();
    let first = true;
    const { verifier, lookups, mostInFlight } = harness({
      cacheSeconds: 0,
      maxBatch: 3,
      gate: async () => {
        if (!first) return;
        first = false;
        await held.opened;
      },
    });
    const [head, ...rest] = holders;
    const answers = [verifier.verify(head?.token ?? "")];
    // Let the first lookup start, then queue the others behind it.
    await Promise.resolve();
    answers.push(...rest.map((h) => verifier.verify(h.token)));
    held.open();
    expect((await Promise.all(answers)).map((a) => a?.id)).toEqual(holders.map((h) => h.id));
    expect(lookups).toEqual([1, 3, 3, 1]);
    expect(mostInFlight()).toBe(1);
  });

  it("a failing query rejects exactly its callers; the next batch is unaffected", async () => {
    const [a, b, c] = await Promise.all([holder(), holder(), holder()]);
    const held = latch();
    const failure = new Error("connection lost");
    let calls = 0;
    const verifier = createTokenVerifier({
      async lookUp(hashes, now) {
        calls += 1;
        if (calls === 1) {
          await held.opened;
          throw failure;
        }
        return lookUpApiTokens(db, hashes, now);
      },
      noteUse: (ids) => noteApiTokenUse(db, ids),
      cacheSeconds: 0,
    });
    const failed = [verifier.verify(a?.token ?? ""), verifier.verify(b?.token ?? "")];
    await Promise.resolve();
    const next = verifier.verify(c?.token ?? "");
    held.open();
    for (const answer of failed) await expect(answer).rejects.toBe(failure);
    expect((await next)?.id).toBe(c?.id);
    expect((await verifier.verify(a?.token ?? ""))?.id).toBe(a?.id);
    expect(calls).toBe(3);
  });
});

describe("last use", () => {
  it("is written after the answer, in one UPDATE, at most once a minute of use", async () => {
    const h = await holder();
    const { verifier, uses, clock } = harness({ cacheSeconds: 600 });
    expect((await verifier.verify(h.token))?.id).toBe(h.id);
    // Answered, and nothing written yet: the write is not part of the request.
    expect(uses).toEqual([]);
    expect(await lastUsedAt(h.tokenId)).toBeNull();
    await verifier.flushUses();
    expect(uses).toEqual([[h.tokenId]]);
    const first = await lastUsedAt(h.tokenId);
    expect(first).toBeInstanceOf(Date);

    // From the cache within the minute: nothing more to write.
    await verifier.verify(h.token);
    await verifier.flushUses();
    expect(uses).toHaveLength(1);
    // A minute on, the cached token notes its use again.
    clock.now += 60_000;
    await verifier.verify(h.token);
    await verifier.flushUses();
    expect(uses).toEqual([[h.tokenId], [h.tokenId]]);
    // A fresh lookup sees the database's last use inside the minute and writes nothing.
    await verifier.verify(h.token, true);
    await verifier.flushUses();
    expect(uses).toHaveLength(2);
    expect(await lastUsedAt(h.tokenId)).toEqual(first);
  });

  it("are written for many tokens in one statement; a failed write is logged, never thrown", async () => {
    const holders = await Promise.all([holder(), holder(), holder()]);
    const { verifier, uses } = harness();
    await Promise.all(holders.map((h) => verifier.verify(h.token)));
    await verifier.flushUses();
    expect(uses.map((ids) => [...ids].sort())).toEqual([holders.map((h) => h.tokenId).sort()]);
    for (const h of holders) expect(await lastUsedAt(h.tokenId)).toBeInstanceOf(Date);

    const { log, lines } = memoryLog();
    const failing = createTokenVerifier({
      lookUp: (hashes, now) => lookUpApiTokens(db, hashes, now),
      noteUse: () => Promise.reject(new Error("disk full")),
      cacheSeconds: 0,
      log,
    });
    const fresh = await holder();
    expect((await failing.verify(fresh.token))?.id).toBe(fresh.id);
    await failing.flushUses();
    expect(lines).toEqual([
      expect.objectContaining({ level: "error", event: "api_token_use_failed", tokens: 1 }),
    ]);
  });
});

describe("the verified-token cache", () => {
  it("stops letting in a revoked token, a suspended account or a demoted admin once notified", async () => {
    const { verifier, lookups, seen } = await listening();
    const revoked = await holder();
    const suspended = await holder();
    const demoted = await holder({ role: "admin" });
    const all = [revoked, suspended, demoted];
    await Promise.all(all.map((h) => verifier.verify(h.token)));
    await Promise.all(all.map((h) => verifier.verify(h.token)));
    expect(lookups).toEqual([3]);

    await revokeApiToken(db, revoked.id, revoked.tokenId, context);
    await seen.applied(revoked.id);
    expect(await verifier.verify(revoked.token)).toBeUndefined();

    await db.update(users).set({ suspendedAt: new Date() }).where(eq(users.id, suspended.id));
    await seen.applied(suspended.id);
    expect(await verifier.verify(suspended.token)).toBeUndefined();

    await db.update(users).set({ role: "player" }).where(eq(users.id, demoted.id));
    await seen.applied(demoted.id);
    expect(await verifier.verify(demoted.token)).toMatchObject({ id: demoted.id, role: "player" });
    expect(lookups).toEqual([3, 1, 1, 1]);
  });

  it("without a notification, serves a changed token no longer than its seconds", async () => {
    const { verifier, clock, lookups } = harness({ cacheSeconds: 5 });
    const revoked = await holder();
    const suspended = await holder();
    const demoted = await holder({ role: "admin" });
    const all = [revoked, suspended, demoted];
    await Promise.all(all.map((h) => verifier.verify(h.token)));
    await db
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(eq(apiTokens.id, revoked.tokenId));
    await db.update(users).set({ suspendedAt: new Date() }).where(eq(users.id, suspended.id));
    await db.update(users).set({ role: "player" }).where(eq(users.id, demoted.id));

    // The bound: nothing told this verifier, so until the seconds pass it answers from memory.
    clock.now += 4_999;
    expect((await verifier.verify(demoted.token))?.role).toBe("admin");
    expect(lookups).toEqual([3]);
    clock.now += 1;
    expect(await verifier.verify(revoked.token)).toBeUndefined();
    expect(await verifier.verify(suspended.token)).toBeUndefined();
    expect((await verifier.verify(demoted.token))?.role).toBe("player");
  });

  it("looks a token up again when the clock is set back", async () => {
    const { verifier, clock, lookups } = harness({ cacheSeconds: 5 });
    const h = await holder();
    await verifier.verify(h.token);
    clock.now -= 3_600_000;
    await verifier.verify(h.token);
    expect(lookups).toEqual([1, 1]);
  });

  it("never serves a token past its own expiry", async () => {
    const { verifier, clock, lookups } = harness({ cacheSeconds: 300 });
    const h = await holder();
    await db
      .update(apiTokens)
      .set({ expiresAt: new Date(clock.now + 2_000) })
      .where(eq(apiTokens.id, h.tokenId));
    expect((await verifier.verify(h.token))?.id).toBe(h.id);
    clock.now += 1_999;
    expect((await verifier.verify(h.token))?.id).toBe(h.id);
    expect(lookups).toEqual([1]);
    clock.now += 1;
    expect(await verifier.verify(h.token)).toBeUndefined();
    expect(lookups).toEqual([1, 1]);
  });

  it("does not keep what a lookup found when a revocation arrived while it was in flight", async () => {
    const h = await holder();
    const queried = latch();
    const held = latch();
    let hold = true;
    const { verifier, lookups, seen } = await listening({
      gate: async () => {
        if (!hold) return;
        queried.open();
        await held.opened;
      },
    });
    // The query has run (the token was live) but its answer is held back...
    const racing = verifier.verify(h.token);
    await queried.opened;
    await revokeApiToken(db, h.id, h.tokenId, context);
    // ...until the revocation's notification was applied.
    await seen.applied(h.id);
    hold = false;
    held.open();
    // That request began before the revocation and is let in, as it would have been uncached.
    expect((await racing)?.id).toBe(h.id);
    expect(await verifier.verify(h.token)).toBeUndefined();
    expect(lookups).toEqual([1, 1]);
  });

  it("holds at most its bound, dropping the oldest, and never a miss", async () => {
    const { verifier, lookups } = harness({ maxCached: 2 });
    const [a, b, c] = await Promise.all([holder(), holder(), holder()]);
    for (const h of [a, b, c]) await verifier.verify(h?.token ?? "");
    expect(lookups).toEqual([1, 1, 1]);
    await verifier.verify(c?.token ?? "");
    await verifier.verify(b?.token ?? "");
    expect(lookups).toHaveLength(3);
    expect((await verifier.verify(a?.token ?? ""))?.id).toBe(a?.id);
    expect(lookups).toHaveLength(4);

    const random = unknownToken();
    expect(await verifier.verify(random)).toBeUndefined();
    expect(await verifier.verify(random)).toBeUndefined();
    expect(lookups).toHaveLength(6);
  });

  it("is emptied when its listener reconnects, since notifications may have been missed", async () => {
    const { verifier, lookups, seen } = await listening();
    const h = await holder();
    await verifier.verify(h.token);
    await verifier.verify(h.token);
    expect(lookups).toEqual([1]);
    // The LISTEN connection is the one whose last statement was the LISTEN.
    await db.execute(sql`
      select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and query ilike 'listen%'`);
    await seen.applied("*", 2);
    await verifier.verify(h.token);
    expect(lookups).toEqual([1, 1]);
  });

  it("still works when it cannot listen, with its seconds as the bound, and says so", async () => {
    const { log, lines } = memoryLog();
    const { verifier, lookups, clock } = harness({
      cacheSeconds: 5,
      listen: () => Promise.reject(new Error("too many connections")),
      log,
    });
    const h = await holder();
    await verifier.verify(h.token);
    await verifier.verify(h.token);
    expect(lookups).toEqual([1]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: "warn",
        event: "api_token_listen_failed",
        message: "too many connections",
      }),
    ]);
    clock.now += 5_000;
    await verifier.verify(h.token);
    expect(lookups).toEqual([1, 1]);
  });

  describe("in two processes", () => {
    // A second pool of its own, with its own LISTEN connection, as another web process has.
    const other = createDb(
      databaseUrlFor(inject("databaseUrl"), sqlClient(db).options.database),
      2,
    );
    afterAll(() => other.sql.end({ timeout: 5 }));

    it("each evicts a revoked token when the one notification reaches it", async () => {
      const here = await listening();
      const there = await listening({}, other.sql);
      const h = await holder();
      await here.verifier.verify(h.token);
      await there.verifier.verify(h.token);
      await revokeApiToken(db, h.id, h.tokenId, context);
      await Promise.all([here.seen.applied(h.id), there.seen.applied(h.id)]);
      expect(await here.verifier.verify(h.token)).toBeUndefined();
      expect(await there.verifier.verify(h.token)).toBeUndefined();
    });
  });
});

describe("the api_tokens notifications (migration 0012)", () => {
  it("name the account on each change to what its tokens stand for, and only then", async () => {
    const payloads: string[] = [];
    let wake = () => {};
    const listener = await sqlClient(db).listen(TOKEN_CHANGES_CHANNEL, (payload) => {
      payloads.push(payload);
      wake();
    });
    let markers = 0;
    /**
     * What `change` notified: a marker is notified after it, and notifications arrive in commit
     * order, so everything it sent has arrived once the marker has.
     */
    async function notifiedBy(change: () => Promise<unknown>): Promise<string[]> {
      const from = payloads.length;
      await change();
      markers += 1;
      const marker = `marker-${markers}`;
      await db.execute(sql`select pg_notify(${TOKEN_CHANGES_CHANNEL}, ${marker})`);
      while (!payloads.includes(marker)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      return payloads.slice(from, payloads.indexOf(marker));
    }
    try {
      const h = await holder();
      const byUser = eq(users.id, h.id);
      const byToken = eq(apiTokens.id, h.tokenId);
      const changes: Array<[string, () => Promise<unknown>, string[]]> = [
        ["last use", () => noteApiTokenUse(db, [h.tokenId]), []],
        ["flag", () => db.update(users).set({ flaggedAt: new Date() }).where(byUser), []],
        [
          "expiry",
          () => db.update(apiTokens).set({ expiresAt: new Date() }).where(byToken),
          [h.id],
        ],
        ["role", () => db.update(users).set({ role: "auditor" }).where(byUser), [h.id]],
        ["same role", () => db.update(users).set({ role: "auditor" }).where(byUser), []],
        [
          "suspension",
          () => db.update(users).set({ suspendedAt: new Date() }).where(byUser),
          [h.id],
        ],
        [
          "two-factor",
          () => db.update(users).set({ totpEnabledAt: new Date() }).where(byUser),
          [h.id],
        ],
        [
          "session version",
          () =>
            db
              .update(users)
              .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
              .where(byUser),
          [h.id],
        ],
        [
          "email",
          () =>
            db
              .update(users)
              .set({ email: `moved-${h.id}@test.invalid` })
              .where(byUser),
          [h.id],
        ],
        ["name", () => db.update(users).set({ displayName: "Renamed" }).where(byUser), [h.id]],
        ["revocation", () => revokeApiToken(db, h.id, h.tokenId, context), [h.id]],
        ["revoked again", () => revokeApiToken(db, h.id, h.tokenId, context), []],
        ["token deleted", () => db.delete(apiTokens).where(byToken), [h.id]],
      ];
      const observed = [];
      for (const [name, change] of changes) observed.push([name, await notifiedBy(change)]);
      expect(observed).toEqual(changes.map(([name, , expected]) => [name, expected]));

      // An account deleted: once for it, once for its tokens (folded when the same transaction).
      const gone = await holder();
      const deleted = await notifiedBy(() => db.delete(users).where(eq(users.id, gone.id)));
      expect(deleted).toEqual([gone.id]);
      // This file's last test: its own database, whose tokens no other test needs any more.
      expect(await notifiedBy(() => db.execute(sql`truncate api_tokens`))).toEqual([""]);
    } finally {
      await listener.unlisten();
    }
  });
});
