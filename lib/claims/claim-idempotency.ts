import "server-only";
import { sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { decryptCode } from "@/lib/codes/code-crypto";
import {
  type Claim,
  type ClaimOutcome,
  type ClaimRequest,
  ClaimRequestFailure,
  hex,
  type StoredOutcome,
} from "./claim-types";
import type { RefusalReason } from "./model";

const mismatch: ClaimOutcome = {
  ok: false,
  reason: "idempotency_mismatch",
  limit: 0,
  replayed: true,
};

function keyOf(r: ClaimRequest): string | undefined {
  return r.idempotencyKey === undefined ? undefined : `${r.playerId}\u0000${r.idempotencyKey}`;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Reserves the batch's new keys and answers the claims whose key was answered before: the same
 * request gets that answer, another request under the key `idempotency_mismatch`. A key repeated
 * within the batch is answered as its first claim (`sameAs`), or refused if the request differs.
 */
export async function reserveKeys(tx: Tx, claims: Claim[]): Promise<void> {
  const firstWithKey = new Map<string, Claim>();
  for (const c of claims) {
    const key = keyOf(c.request);
    if (key !== undefined && !firstWithKey.has(key)) firstWithKey.set(key, c);
  }
  if (firstWithKey.size === 0) return;
  // Sorted, so that concurrent batches lock idempotency rows in the same order.
  const keys = [...firstWithKey.keys()].sort();
  const reserved = new Set<string>();
  let stored = new Map<string, StoredKey>();
  let toReserve = keys;
  // A key found taken can be gone by the time its answer is read (the maintenance purge of old
  // keys): it is then a fresh key, reserved on the next round. The purge deletes only keys
  // answered long ago, so a second round finds the rest.
  while (toReserve.length > 0) {
    for (const key of await insertKeys(tx, toReserve, firstWithKey)) reserved.add(key);
    const taken = keys.filter((key) => !reserved.has(key));
    stored = await readKeys(tx, taken);
    toReserve = taken.filter((key) => !stored.has(key));
  }
  for (const [key, c] of firstWithKey) c.keyReserved = reserved.has(key);

  // Every claim with a key answered before, repeats included, is judged by that answer.
  for (const c of claims) {
    const key = keyOf(c.request);
    const row = key === undefined ? undefined : stored.get(key);
    if (!row) continue;
    c.outcome = sameBytes(new Uint8Array(row.request_hash), c.request.requestHash)
      ? await replayOutcome(tx, c.request, row.response)
      : mismatch;
  }
  for (const c of claims) {
    const key = keyOf(c.request);
    const first = key === undefined ? undefined : firstWithKey.get(key);
    if (!first || first === c || c.outcome) continue;
    if (sameBytes(c.request.requestHash, first.request.requestHash)) c.sameAs = first;
    else c.outcome = mismatch;
  }
}

type StoredKey = { player_id: string; key: string; request_hash: Buffer; response: StoredOutcome };

/** Inserts the keys not taken yet; returns those this transaction reserved. */
async function insertKeys(
  tx: Tx,
  keys: string[],
  firstWithKey: Map<string, Claim>,
): Promise<string[]> {
  const requests = keys.flatMap((key) => firstWithKey.get(key) ?? []).map((c) => c.request);
  const inserted = await tx.execute<{ player_id: string; key: string }>(sql`
    insert into idempotency_keys (player_id, key, request_hash, status, response)
    select p, k, decode(h, 'hex'), 0, '{}'::jsonb
    from unnest(${sql.param(requests.map((r) => r.playerId))}::uuid[],
                ${sql.param(requests.map((r) => r.idempotencyKey))}::text[],
                ${sql.param(requests.map((r) => hex(r.requestHash)))}::text[])
      as t(p, k, h)
    on conflict do nothing
    returning player_id, key`);
  return inserted.map((row) => `${row.player_id}\u0000${row.key}`);
}

async function readKeys(tx: Tx, keys: string[]): Promise<Map<string, StoredKey>> {
  if (keys.length === 0) return new Map();
  const split = keys.map((key) => {
    const at = key.indexOf("\u0000");
    return [key.slice(0, at), key.slice(at + 1)];
  });
  const rows = await tx.execute<StoredKey>(sql`
    select player_id, key, request_hash, response from idempotency_keys
    where (player_id, key) in (
      select * from unnest(${sql.param(split.map(([p]) => p))}::uuid[],
                           ${sql.param(split.map(([, k]) => k))}::text[]))`);
  return new Map(rows.map((row) => [`${row.player_id}\u0000${row.key}`, row]));
}

// Refusals that may not hold when the client retries (after Retry-After, once the drop starts
// or resumes, once the waiting room admits it): the key is released, and the retry is judged
// afresh.
const TRANSIENT_REFUSALS: ReadonlySet<RefusalReason> = new Set([
  "rate_limited",
  "not_started",
  "paused",
  "admission_required",
  "admission_expired",
]);

/** Stores each final answer under the key its claim reserved, and releases the others. */
export async function storeAnswers(tx: Tx, claims: Claim[]): Promise<void> {
  const answered = claims.flatMap((c) =>
    c.keyReserved && c.decision ? [{ request: c.request, decision: c.decision }] : [],
  );
  const final = answered.filter(
    ({ decision }) => decision.ok || !TRANSIENT_REFUSALS.has(decision.reason),
  );
  const released = answered.filter((a) => !final.includes(a));
  if (released.length > 0) {
    await tx.execute(sql`
      delete from idempotency_keys k
      using unnest(${sql.param(released.map((a) => a.request.playerId))}::uuid[],
                   ${sql.param(released.map((a) => a.request.idempotencyKey))}::text[]) as t(p, k)
      where k.player_id = t.p and k.key = t.k`);
  }
  if (final.length > 0) {
    await tx.execute(sql`
      update idempotency_keys k set status = t.s, response = t.b::jsonb
      from unnest(${sql.param(final.map((a) => a.request.playerId))}::uuid[],
                  ${sql.param(final.map((a) => a.request.idempotencyKey))}::text[],
                  ${sql.param(final.map((a) => (a.decision.ok ? 201 : 409)))}::smallint[],
                  ${sql.param(final.map((a) => JSON.stringify(a.decision)))}::text[])
        as t(p, k, s, b)
      where k.player_id = t.p and k.key = t.k`);
  }
}

/**
 * The stored first answer, with the code read back from the redemption (it is not stored twice).
 * What cannot be read back fails this request alone.
 */
async function replayOutcome(
  tx: Tx,
  request: ClaimRequest,
  stored: StoredOutcome,
): Promise<ClaimOutcome> {
  if (!stored.ok) {
    // An answer still being written by a transaction that then failed leaves an empty record.
    if (!("reason" in stored)) {
      throw new ClaimRequestFailure(request, "idempotency record without an answer");
    }
    return { ...stored, replayed: true };
  }
  const [row] = await tx.execute<{ code_ciphertext: Buffer; code_key_id: string }>(sql`
    select code_ciphertext, code_key_id from redemptions where id = ${stored.redemption.id}`);
  if (!row) {
    throw new ClaimRequestFailure(
      request,
      `redemption ${stored.redemption.id} of an idempotency record is gone`,
    );
  }
  let code: string;
  try {
    code = decryptCode(new Uint8Array(row.code_ciphertext), row.code_key_id);
  } catch (cause) {
    throw new ClaimRequestFailure(
      request,
      `the code of redemption ${stored.redemption.id} cannot be decrypted`,
      { cause },
    );
  }
  return { ok: true, redemption: stored.redemption, code, replayed: true };
}
