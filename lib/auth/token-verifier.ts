import "server-only";
import { createHash } from "node:crypto";
import type { NotifyChannel } from "@/db/notify";
import { type Log, log as processLog } from "@/lib/log";
import type { SessionUser } from "./sessions";

/** The account a live bearer token stands for, with the token's id for the audit trail. */
export type TokenUser = SessionUser & { tokenId: string };

/** A live token one lookup found, with what the verifier needs beyond the account. */
export type TokenRow = TokenUser & {
  tokenHash: Uint8Array;
  expiresAt: Date;
  /** Whether last_used_at is unset or older than its resolution: only then is a use written. */
  useStale: boolean;
};

/**
 * Triggers (migration 0012) notify this channel, with the account's id, whenever what a lookup
 * returns for one of its tokens may have changed: revocation, expiry, deletion, a new role,
 * suspension, two-factor, session version, email or display name. An empty payload means all.
 */
export const TOKEN_CHANGES_CHANNEL: NotifyChannel = "api_tokens";

export const TOKEN_PREFIX = "plt_";
const MAX_TOKEN_LENGTH = 200;
/** Most digests in one lookup query: a bigger crowd waits for the next one. */
export const MAX_BATCH = 1_000;
/** Most tokens cached per process; the oldest go first. */
export const MAX_CACHED = 10_000;
/** How long after a use its last_used_at write waits, gathering others into the same UPDATE. */
export const USE_FLUSH_MS = 50;
/** A token served from the cache notes its use again once this long has passed (as the SQL). */
const USE_RESOLUTION_MS = 60_000;

export type ListenFn = (
  channel: string,
  onNotify: (payload: string) => void,
  onListen: () => void,
) => Promise<unknown>;

export type TokenVerifierOptions = {
  /** One query: the live tokens among `hashes` at `now` (accounts not suspended), any order. */
  lookUp: (hashes: Buffer[], now: Date) => Promise<TokenRow[]>;
  /** One statement noting that these tokens were just used. */
  noteUse: (tokenIds: string[]) => Promise<void>;
  /** How long a verified token is served without a lookup; 0 turns the cache off. */
  cacheSeconds: number;
  /** postgres.js `sql.listen`, which re-listens after a reconnect and calls onListen each time. */
  listen?: ListenFn;
  now?: () => number;
  maxBatch?: number;
  maxCached?: number;
  flushMs?: number;
  log?: Log;
  /** Called once a notification was applied: the account evicted, or undefined for all. */
  onEvicted?: (userId: string | undefined) => void;
};

export type TokenVerifier = {
  /**
   * The account `token` stands for, or undefined. `fresh` skips the cache (a lookup that starts
   * after the call); otherwise a token verified less than `cacheSeconds` ago (and not evicted
   * since) is answered from memory.
   */
  verify(token: string, fresh?: boolean): Promise<TokenUser | undefined>;
  /** Writes every use noted so far (and waits for a write in flight); never throws. */
  flushUses(): Promise<void>;
};

type Waiter = {
  key: string;
  hash: Buffer;
  resolve: (user: TokenUser | undefined) => void;
  reject: (error: unknown) => void;
};
/** `from`: when its lookup began; `until`: when it must be looked up again. */
type Entry = { user: TokenUser; from: number; until: number; usedAt: number };

/** The SHA-256 the database keeps (and the cache is keyed by, in base64) instead of the token. */
export function tokenDigest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

/** Whether `token` could be one of ours at all; anything else never reaches the database. */
export function isWellFormedToken(token: string): boolean {
  return token.startsWith(TOKEN_PREFIX) && token.length <= MAX_TOKEN_LENGTH;
}

/**
 * Bearer-token verification for one pool. Lookups arriving together share one query (at most one
 * in flight; those arriving meanwhile go into the next), uses are written in one UPDATE a moment
 * later instead of one per request, and verified tokens are kept for `cacheSeconds`, keyed by
 * digest. A revocation or an account change evicts the account's tokens when its notification
 * arrives; a lookup in flight when one arrives is not cached (its snapshot may predate the
 * change). When the listener (re)connects the whole cache is dropped, as notifications may have
 * been missed meanwhile; without a listener an entry still dies `cacheSeconds` after its lookup
 * began, the bound on how long a revoked token may still be let in.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const {
    lookUp,
    noteUse,
    cacheSeconds,
    listen,
    now = Date.now,
    maxBatch = MAX_BATCH,
    maxCached = MAX_CACHED,
    flushMs = USE_FLUSH_MS,
    log = processLog(),
    onEvicted,
  } = options;
  const ttlMs = cacheSeconds * 1000;
  const cache = new Map<string, Entry>();
  const keysByUser = new Map<string, Set<string>>();
  const queue: Waiter[] = [];
  let scheduled = false;
  let lookingUp = false;
  /** Accounts evicted while the lookup in flight ran: its rows for them must not be cached. */
  let evictedDuringLookup: Set<string> | "all" = new Set();
  const uses = new Set<string>();
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let flushing: Promise<void> | undefined;

  function forget(key: string): void {
    const entry = cache.get(key);
    if (!entry) return;
    cache.delete(key);
    const keys = keysByUser.get(entry.user.id);
    keys?.delete(key);
    if (keys?.size === 0) keysByUser.delete(entry.user.id);
  }

  function remember(key: string, user: TokenUser, from: number, until: number): void {
    forget(key);
    while (cache.size >= maxCached) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      forget(oldest);
    }
    cache.set(key, { user, from, until, usedAt: from });
    const keys = keysByUser.get(user.id) ?? new Set();
    keys.add(key);
    keysByUser.set(user.id, keys);
  }

  function evict(userId: string): void {
    for (const key of keysByUser.get(userId) ?? []) cache.delete(key);
    keysByUser.delete(userId);
    if (lookingUp && evictedDuringLookup !== "all") evictedDuringLookup.add(userId);
  }

  function clear(): void {
    cache.clear();
    keysByUser.clear();
    if (lookingUp) evictedDuringLookup = "all";
  }

  // A function, not an inline test: the flag changes in evict() while the lookup is awaited.
  function evictedMeanwhile(userId: string): boolean {
    return evictedDuringLookup === "all" || evictedDuringLookup.has(userId);
  }

  function noteUsed(tokenId: string): void {
    uses.add(tokenId);
    if (flushTimer || flushing) return;
    flushTimer = setTimeout(() => void flushUses(), flushMs);
    flushTimer.unref?.();
  }

  async function flushUses(): Promise<void> {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    while (flushing) await flushing;
    if (uses.size === 0) return;
    const ids = [...uses];
    uses.clear();
    flushing = noteUse(ids)
      .catch((error: unknown) => log.error("api_token_use_failed", error, { tokens: ids.length }))
      .finally(() => {
        flushing = undefined;
        if (uses.size > 0 && !flushTimer) {
          flushTimer = setTimeout(() => void flushUses(), flushMs);
          flushTimer.unref?.();
        }
      });
    await flushing;
  }

  function cached(key: string): TokenUser | undefined {
    const entry = cache.get(key);
    if (!entry) return undefined;
    const at = now();
    // A clock set back must not stretch an entry's life beyond the seconds it was given.
    if (entry.until <= at || at < entry.from) {
      forget(key);
      return undefined;
    }
    if (at - entry.usedAt >= USE_RESOLUTION_MS) {
      entry.usedAt = at;
      noteUsed(entry.user.tokenId);
    }
    return entry.user;
  }

  async function runLookup(): Promise<void> {
    scheduled = false;
    if (lookingUp || queue.length === 0) return;
    const batch = queue.splice(0, maxBatch);
    const hashes = new Map(batch.map((waiter) => [waiter.key, waiter.hash]));
    lookingUp = true;
    evictedDuringLookup = new Set();
    const startedAt = now();
    try {
      const rows = await lookUp([...hashes.values()], new Date(startedAt));
      const found = new Map<string, TokenUser>();
      for (const { tokenHash, expiresAt, useStale, ...user } of rows) {
        const key = Buffer.from(tokenHash).toString("base64");
        if (!hashes.has(key)) continue;
        // One object serves every caller with this token while cached: none may change it.
        const frozen = Object.freeze(user);
        found.set(key, frozen);
        if (useStale) noteUsed(user.tokenId);
        if (ttlMs > 0 && !evictedMeanwhile(user.id)) {
          remember(key, frozen, startedAt, Math.min(startedAt + ttlMs, expiresAt.getTime()));
        }
      }
      for (const waiter of batch) waiter.resolve(found.get(waiter.key));
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    } finally {
      lookingUp = false;
      if (queue.length > 0) void runLookup();
    }
  }

  if (listen && ttlMs > 0) {
    listen(
      TOKEN_CHANGES_CHANNEL,
      (userId) => {
        if (userId) evict(userId);
        else clear();
        onEvicted?.(userId || undefined);
      },
      () => {
        clear();
        onEvicted?.(undefined);
      },
    ).catch((error: unknown) =>
      log.warning("api_token_listen_failed", {
        message: error instanceof Error ? error.message : String(error),
        cacheSeconds,
      }),
    );
  }

  return {
    verify(token, fresh = false) {
      if (!isWellFormedToken(token)) return Promise.resolve(undefined);
      const hash = tokenDigest(token);
      const key = hash.toString("base64");
      const hit = fresh ? undefined : cached(key);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        queue.push({ key, hash, resolve, reject });
        if (lookingUp || scheduled) return;
        // Lookups made in the same tick share the query.
        scheduled = true;
        queueMicrotask(() => void runLookup());
      });
    },
    flushUses,
  };
}

const globalVerifiers = globalThis as unknown as {
  prizeledgerTokenVerifiers?: WeakMap<object, TokenVerifier>;
};

// On globalThis like the pool itself, so that every bundle of the app shares one per pool.
function poolVerifiers(): WeakMap<object, TokenVerifier> {
  globalVerifiers.prizeledgerTokenVerifiers ??= new WeakMap();
  return globalVerifiers.prizeledgerTokenVerifiers;
}

/** The one verifier of a pool (its drizzle database), made by `create` on first use. */
export function poolTokenVerifier(pool: object, create: () => TokenVerifier): TokenVerifier {
  let verifier = poolVerifiers().get(pool);
  if (!verifier) {
    verifier = create();
    poolVerifiers().set(pool, verifier);
  }
  return verifier;
}

/**
 * Writes the uses of tokens this process verified on the pool and has not written yet: before
 * "last used" is shown, or before the pool is closed.
 */
export async function flushApiTokenUses(pool: object): Promise<void> {
  await poolVerifiers().get(pool)?.flushUses();
}
