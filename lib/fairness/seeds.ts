import "server-only";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { hexToBytes } from "@noble/hashes/utils";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx, Tx } from "@/db/client";
import { notify } from "@/db/notify";
import { executePrepared } from "@/db/prepared";
import { anchoredInclusion } from "@/lib/anchoring/proofs";
import { recordEvent } from "@/lib/audit/record-event";
import { decryptCode, encryptCode } from "@/lib/codes/code-crypto";
import { hashServerSeed } from "@/lib/games/rng";
import type { PublicLeaf } from "@/lib/games/verify-round";
import { encodeLeaf, playerCommitment } from "@/lib/ledger/leaf";
import type { FairnessView, RotationView } from "./model";

/**
 * Server seeds: per player one active (in play, secret) and one next (committed, secret). Each
 * seed's commitment is a ledger entry (kind seed_commitment) written with the seed, so it is
 * sequenced before any round the seed plays. Active and next seeds are kept encrypted with the
 * code keyring (lib/codes/code-crypto.ts, AES-256-GCM); a revealed seed is public and kept plain.
 */

/** A seed in play, as the round engine uses it. */
export type ActiveSeed = {
  id: string;
  userId: string;
  serverSeed: string;
  serverSeedHash: string;
  playerSalt: Uint8Array;
  nextNonce: number;
};

const SEALED = "enc:";

/** "enc:<keyId>:<base64 IV ‖ ciphertext ‖ tag>": the seed under the current code key. */
function sealSeed(serverSeed: string): string {
  const { ciphertext, keyId } = encryptCode(serverSeed);
  return `${SEALED}${keyId}:${Buffer.from(ciphertext).toString("base64")}`;
}

export function openSeed(stored: string): string {
  if (!stored.startsWith(SEALED)) return stored;
  const at = stored.indexOf(":", SEALED.length);
  return decryptCode(
    new Uint8Array(Buffer.from(stored.slice(at + 1), "base64")),
    stored.slice(SEALED.length, at),
  );
}

/** The salt of a round's player commitment: derived, so rounds of one seed are not linkable. */
export function roundSalt(seedSalt: Uint8Array, roundId: string): Uint8Array {
  return new Uint8Array(createHmac("sha256", seedSalt).update(roundId).digest());
}

type SeedRow = {
  id: string;
  user_id: string;
  server_seed: string;
  server_seed_hash: string;
  player_salt: Buffer;
  status: "next" | "active" | "revealed";
  next_nonce: number;
};

/**
 * Gives every listed player an active and a next seed where they lack one, each with its
 * commitment in the ledger. Concurrent callers are safe: the unique indexes keep one of each,
 * and only the rows this call inserted get ledger entries.
 */
export async function ensureSeeds(tx: Tx, userIds: readonly string[]): Promise<void> {
  const ids = [...new Set(userIds)].sort();
  if (ids.length === 0) return;
  const missing = await executePrepared<{ user_id: string; status: "active" | "next" }>(
    tx,
    sql`
    select u as user_id, s as status
    from unnest(${sql.param(ids)}::uuid[]) as u, unnest(array['active', 'next']) as s
    where not exists (
      select 1 from fair_seeds f where f.user_id = u and f.status = s::fair_seed_status)`,
  );
  if (missing.length === 0) return;
  await insertSeeds(
    tx,
    missing.map((m) => ({ userId: m.user_id, status: m.status })),
  );
}

async function insertSeeds(
  tx: Tx,
  seeds: { userId: string; status: "active" | "next" }[],
): Promise<void> {
  const fresh = seeds.map((s) => {
    const serverSeed = randomBytes(32).toString("hex");
    return {
      ...s,
      id: randomUUID(),
      serverSeed,
      serverSeedHash: hashServerSeed(serverSeed),
      salt: new Uint8Array(randomBytes(32)),
    };
  });
  const inserted = new Set<string>();
  // One statement per status: each has its own partial unique index to yield to.
  for (const status of ["active", "next"] as const) {
    const rows = fresh.filter((s) => s.status === status);
    if (rows.length === 0) continue;
    // The status is written into the text, not passed: ON CONFLICT must match its partial
    // index by the predicate, which a generic plan of a parameter could not.
    const literal = sql.raw(`'${status}'::fair_seed_status`);
    const returned = await executePrepared<{ id: string }>(
      tx,
      sql`
      insert into fair_seeds (id, user_id, server_seed, server_seed_hash, player_salt, status,
                              activated_at)
      select id, u, s, h, decode(salt, 'hex'), ${literal},
             ${status === "active" ? sql`now()` : sql`null::timestamptz`}
      from unnest(${sql.param(rows.map((r) => r.id))}::uuid[],
                  ${sql.param(rows.map((r) => r.userId))}::uuid[],
                  ${sql.param(rows.map((r) => sealSeed(r.serverSeed)))}::text[],
                  ${sql.param(rows.map((r) => r.serverSeedHash))}::text[],
                  ${sql.param(rows.map((r) => Buffer.from(r.salt).toString("hex")))}::text[])
        as t(id, u, s, h, salt)
      on conflict (user_id) where status = ${literal} do nothing
      returning id`,
    );
    for (const r of returned) inserted.add(r.id);
  }
  const committed = fresh.filter((s) => inserted.has(s.id));
  if (committed.length === 0) return;
  const now = Date.now();
  const leaves = committed.map((s) =>
    encodeLeaf({
      kind: "seed_commitment",
      entryId: s.id,
      serverSeedHash: hexToBytes(s.serverSeedHash),
      firstNonce: 0,
      timeMs: now,
      playerCommitment: playerCommitment(s.userId, s.salt),
    }),
  );
  await executePrepared(
    tx,
    sql`
    insert into ledger_entries (kind, fair_seed_id, leaf_data)
    select 'seed_commitment', s, decode(d, 'hex')
    from unnest(${sql.param(committed.map((s) => s.id))}::uuid[],
                ${sql.param(leaves.map((l) => Buffer.from(l).toString("hex")))}::text[]) as t(s, d)`,
  );
  await notify(tx, "ledger_entries");
}

/** The players' active seeds, locked until the transaction ends (their nonces move). */
export async function lockActiveSeeds(
  tx: Tx,
  userIds: readonly string[],
): Promise<Map<string, ActiveSeed>> {
  const ids = [...new Set(userIds)].sort();
  const seeds = new Map<string, ActiveSeed>();
  if (ids.length === 0) return seeds;
  const rows = await executePrepared<SeedRow>(
    tx,
    sql`
    select id, user_id, server_seed, server_seed_hash, player_salt, status, next_nonce
    from fair_seeds where user_id = any(${sql.param(ids)}::uuid[]) and status = 'active'
    order by user_id for update`,
  );
  for (const r of rows) {
    seeds.set(r.user_id, {
      id: r.id,
      userId: r.user_id,
      serverSeed: openSeed(r.server_seed),
      serverSeedHash: r.server_seed_hash,
      playerSalt: new Uint8Array(r.player_salt),
      nextNonce: r.next_nonce,
    });
  }
  return seeds;
}

/** The players' client seeds, a random one (16 hex characters) set for those without. */
export async function clientSeedsOf(
  tx: DbOrTx,
  userIds: readonly string[],
): Promise<Map<string, string>> {
  const ids = [...new Set(userIds)].sort();
  const seeds = new Map<string, string>();
  if (ids.length === 0) return seeds;
  const read = async (players: string[]) => {
    const rows = await executePrepared<{ user_id: string; client_seed: string }>(
      tx,
      sql`
      select user_id, client_seed from fair_client_seeds
      where user_id = any(${sql.param(players)}::uuid[])`,
    );
    for (const r of rows) seeds.set(r.user_id, r.client_seed);
  };
  await read(ids);
  const missing = ids.filter((id) => !seeds.has(id));
  if (missing.length === 0) return seeds;
  await executePrepared(
    tx,
    sql`
    insert into fair_client_seeds (user_id, client_seed)
    select u, t.s from unnest(${sql.param(missing)}::uuid[],
                              ${sql.param(missing.map(() => randomBytes(8).toString("hex")))}::text[])
      as t(u, s)
    on conflict (user_id) do nothing`,
  );
  // Read back rather than trust what was sent: a concurrent first look may have set it first.
  await read(missing);
  return seeds;
}

/** What GET /api/v1/fairness shows: the commitments in force, the client seed, the next nonce. */
export function getFairness(db: DbOrTx, userId: string): Promise<FairnessView> {
  return db.transaction(async (tx) => {
    await ensureSeeds(tx, [userId]);
    const clientSeed = (await clientSeedsOf(tx, [userId])).get(userId) ?? "";
    const rows = await tx.execute<{
      status: string;
      server_seed_hash: string;
      next_nonce: number;
    }>(sql`
      select status, server_seed_hash, next_nonce from fair_seeds
      where user_id = ${userId} and status in ('active', 'next')`);
    const active = rows.find((r) => r.status === "active");
    const next = rows.find((r) => r.status === "next");
    if (!active || !next) throw new Error(`player ${userId} has no active and next seed`);
    return {
      serverSeedHash: active.server_seed_hash,
      clientSeed,
      nonce: active.next_nonce,
      nextServerSeedHash: next.server_seed_hash,
    };
  });
}

/** Sets the client seed the player's next rounds use (the nonce goes on counting). */
export async function setClientSeed(
  db: DbOrTx,
  userId: string,
  clientSeed: string,
): Promise<FairnessView> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      insert into fair_client_seeds (user_id, client_seed) values (${userId}, ${clientSeed})
      on conflict (user_id) do update set client_seed = excluded.client_seed, updated_at = now()`);
    await recordEvent(tx, {
      actorId: userId,
      action: "fairness_client_seed",
      subject: `user:${userId}`,
      outcome: "ok",
      data: { clientSeed },
    });
  });
  return getFairness(db, userId);
}

/**
 * Reveals the active seed, promotes the next one (committed already, nonce 0) and commits a new
 * next one, in one transaction: play never waits for a commitment.
 */
export function rotateSeed(db: DbOrTx, userId: string): Promise<RotationView> {
  return db.transaction(async (tx) => {
    // Two rotations at once take turns on the player's row: waiting on the seed rows instead,
    // the second would find the seed the first activated but not the next one it committed.
    // NO KEY UPDATE, as purchases take it: round batches take KEY SHARE on it while locked.
    await tx.execute(sql`select id from users where id = ${userId} for no key update`);
    await ensureSeeds(tx, [userId]);
    const rows = await tx.execute<SeedRow>(sql`
      select id, user_id, server_seed, server_seed_hash, player_salt, status, next_nonce
      from fair_seeds where user_id = ${userId} and status in ('active', 'next')
      order by id for update`);
    const active = rows.find((r) => r.status === "active");
    const next = rows.find((r) => r.status === "next");
    if (!active || !next) throw new Error(`player ${userId} has no active and next seed`);
    const serverSeed = openSeed(active.server_seed);
    await tx.execute(sql`
      update fair_seeds set status = 'revealed', server_seed = ${serverSeed}, revealed_at = now()
      where id = ${active.id}`);
    await tx.execute(sql`
      update fair_seeds set status = 'active', activated_at = now() where id = ${next.id}`);
    await insertSeeds(tx, [{ userId, status: "next" }]);
    await recordEvent(tx, {
      actorId: userId,
      action: "fairness_rotate",
      subject: `fair_seed:${active.id}`,
      outcome: "ok",
      data: { revealedSeedId: active.id, rounds: active.next_nonce, activeSeedId: next.id },
    });
    return {
      revealed: { serverSeed, serverSeedHash: active.server_seed_hash },
      current: { serverSeedHash: next.server_seed_hash },
    };
  });
}

/** A leaf as the public log shows it: its index (null until sequenced) and bytes in 0x hex. */
export function publicLeaf(index: string | number | null, data: Uint8Array): PublicLeaf {
  return {
    index: index === null ? null : Number(index),
    data: `0x${Buffer.from(data).toString("hex")}`,
  };
}

export type PublicSeed = {
  id: string;
  serverSeedHash: string;
  /** Null until the player rotated it out. */
  serverSeed: string | null;
  status: "next" | "active" | "revealed";
  revealedAt: string | null;
  /** How many rounds it played (known once revealed). */
  rounds: number | null;
  leaf: PublicLeaf;
  /** The leaf's inclusion in an anchored checkpoint, once one covers it. */
  anchored: Awaited<ReturnType<typeof anchoredInclusion>>;
};

/**
 * A seed by its id (its commitment leaf's entry id), for anyone: the commitment leaf and, once
 * revealed, the seed. Who owns it is not said (the leaf's player commitment is salted).
 */
export async function getPublicSeed(db: DbOrTx, seedId: string): Promise<PublicSeed | undefined> {
  if (!z.uuid().safeParse(seedId).success) return undefined;
  const [row] = await db.execute<{
    server_seed_hash: string;
    server_seed: string;
    status: "next" | "active" | "revealed";
    revealed_at: string | null;
    next_nonce: number;
    leaf_data: Buffer;
    leaf_index: string | null;
  }>(sql`
    select f.server_seed_hash, f.server_seed, f.status, to_json(f.revealed_at) #>> '{}' as revealed_at, f.next_nonce,
           l.leaf_data, l.leaf_index
    from fair_seeds f join ledger_entries l on l.fair_seed_id = f.id
    where f.id = ${seedId}`);
  if (!row) return undefined;
  const revealed = row.status === "revealed";
  const leaf = publicLeaf(row.leaf_index, row.leaf_data);
  return {
    id: seedId,
    serverSeedHash: row.server_seed_hash,
    serverSeed: revealed ? row.server_seed : null,
    status: row.status,
    revealedAt: row.revealed_at,
    rounds: revealed ? row.next_nonce : null,
    leaf,
    anchored: await anchoredInclusion(db, leaf.index),
  };
}
