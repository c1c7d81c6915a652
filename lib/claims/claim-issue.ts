import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { encryptCode } from "@/lib/codes/code-crypto";
import { lockPrizeCodes, takeUsableCodes } from "@/lib/codes/take-gift-codes";
import { encodeLeaf, playerCommitment } from "@/lib/ledger/leaf";
import { toHex } from "@/lib/ledger/merkle";
import { logError } from "@/lib/log";
import { recordIssuedRedemptions } from "@/lib/redemptions/issue-prize";
import type { Grant } from "./claim-allocation";
import { type Code, type DropState, hex } from "./claim-types";
import { newRedemptionCode } from "./redemption-code";

type Issued = {
  grant: Grant;
  id: string;
  seq: number;
  salt: Uint8Array;
  leaf: Uint8Array;
  code: Code;
};

/**
 * Turns grants into redemptions: a code for each (or sold_out when a gift-card prize has none
 * left), the redemption rows, the units and codes marked taken, and a ledger entry each. Sets
 * every grant's claim decision.
 */
export async function issueRedemptions(
  tx: Tx,
  drop: DropState,
  actionDeadline: Date,
  grants: Grant[],
): Promise<void> {
  const codes = await takeCodes(tx, drop, grants);
  // Claim numbers count only the grants that get a code: numbered before, a player whose first
  // grant found no code kept a gap, and their next claim took a number already used.
  const rank = new Map<string, number>();
  const candidates: Issued[] = grants.flatMap((grant) => {
    const code = codes.get(grant);
    if (!code) return [];
    const playerId = grant.claim.request.playerId;
    const seq = grant.claimed + (rank.get(playerId) ?? 0) + 1;
    rank.set(playerId, seq - grant.claimed);
    const id = randomUUID();
    const salt = new Uint8Array(randomBytes(32));
    const leaf = encodeLeaf({
      kind: "redemption",
      entryId: id,
      prizeId: grant.pool.prizeId,
      dropId: drop.id,
      valueCents: grant.pool.valueCents,
      timeMs: drop.now.getTime(),
      playerCommitment: playerCommitment(grant.claim.request.playerId, salt),
    });
    return [{ grant, id, seq, salt, leaf, code }];
  });
  if (candidates.length === 0) return;
  const status = (x: Issued) =>
    x.grant.pool.kind === "physical" ? ("awaiting_action" as const) : ("fulfilled" as const);

  // Claim numbers are counted under the drop lock, so the unique (drop, player, claim number)
  // index should never refuse one here; if it does (numbers left from before), the claim is
  // refused rather than the whole batch failing on it, again at every claim of that player.
  const inserted = await tx.execute<{ id: string }>(sql`
    insert into redemptions (id, drop_id, prize_id, player_id, unit_id, claim_seq, status,
                             action_deadline, code_ciphertext, code_key_id, player_salt, created_at,
                             region)
    select id, ${drop.id}, prize, player, unit, seq, status::redemption_status,
           case when status = 'awaiting_action' then ${actionDeadline.toISOString()}::timestamptz end,
           decode(ct, 'hex'), kid, decode(salt, 'hex'), now(),
           (select u.region from users u where u.id = player)
    from unnest(${sql.param(candidates.map((x) => x.id))}::uuid[],
                ${sql.param(candidates.map((x) => x.grant.pool.prizeId))}::uuid[],
                ${sql.param(candidates.map((x) => x.grant.claim.request.playerId))}::uuid[],
                ${sql.param(candidates.map((x) => x.grant.unitId))}::bigint[],
                ${sql.param(candidates.map((x) => x.seq))}::smallint[],
                ${sql.param(candidates.map(status))}::text[],
                ${sql.param(candidates.map((x) => hex(x.code.ciphertext)))}::text[],
                ${sql.param(candidates.map((x) => x.code.keyId))}::text[],
                ${sql.param(candidates.map((x) => hex(x.salt)))}::text[])
      as t(id, prize, player, unit, seq, status, ct, kid, salt)
    on conflict (drop_id, player_id, claim_seq) do nothing
    returning id`);
  const insertedIds = new Set(inserted.map((row) => row.id));
  const issued = candidates.filter((x) => insertedIds.has(x.id));
  for (const x of candidates) {
    if (insertedIds.has(x.id)) continue;
    logError(
      "claim_seq_taken",
      new Error(
        `claim number ${x.seq} of player ${x.grant.claim.request.playerId} in drop ${drop.id} is taken`,
      ),
      { requestId: x.grant.claim.request.requestId },
    );
    x.grant.claim.decision = { ok: false, reason: "limit_reached", limit: drop.perPlayerLimit };
  }
  if (issued.length === 0) return;
  // Units locked but not given out are left as they are: available once this transaction ends.
  await tx.execute(sql`
    update drop_units set status = 'claimed'
    where id = any(${sql.param(issued.map((x) => x.grant.unitId))}::bigint[])`);
  await recordIssuedRedemptions(tx, issued);
  for (const x of issued) {
    x.grant.claim.code = x.code;
    x.grant.claim.decision = {
      ok: true,
      redemption: {
        id: x.id,
        dropId: drop.id,
        prizeId: x.grant.pool.prizeId,
        unitId: x.grant.unitId,
        claimedAt: drop.now.toISOString(),
        status: status(x),
        actionDeadline: status(x) === "awaiting_action" ? actionDeadline.toISOString() : null,
        receipt: {
          version: 1,
          status: "pending",
          leaf: {
            index: null,
            data: toHex(x.leaf),
            salt: toHex(x.salt),
            playerId: x.grant.claim.request.playerId,
          },
        },
      },
    };
  }
}

/**
 * Codes: gift cards from the imported pool (a prize delivered by the gift-card provider is not
 * one: its card comes from the provider), each decrypted here once (a code no key of the
 * keyring opens is quarantined and the next one taken); other kinds get a generated code,
 * encrypted the same way. A grant of a gift-card prize with no code left is refused sold_out,
 * and its unit stays available.
 */
async function takeCodes(tx: Tx, drop: DropState, grants: Grant[]): Promise<Map<Grant, Code>> {
  const codes = new Map<Grant, Code>();
  const byPrize = new Map<string, Grant[]>();
  for (const g of grants) {
    if (g.pool.fromPool) {
      byPrize.set(g.pool.prizeId, [...(byPrize.get(g.pool.prizeId) ?? []), g]);
    } else {
      const plain = newRedemptionCode();
      codes.set(g, { ...encryptCode(plain), plain });
    }
  }
  // A prize's codes may be shared by several drops, whose batches do not take turns on the drop
  // lock: a lock per prize (in sorted order) does that for codes. Then no other batch holds a
  // code of the prize, so waiting for a locked row (an import's) is safe and no code that may
  // come back is skipped: sold_out here is final.
  const prizeIds = [...byPrize.keys()].sort();
  if (prizeIds.length === 0) return codes;
  await lockPrizeCodes(tx, prizeIds);
  for (const prizeId of prizeIds) {
    const group = byPrize.get(prizeId) ?? [];
    const usable = await takeUsableCodes(tx, prizeId, group.length, drop.id);
    for (const [k, g] of group.entries()) {
      const code = usable[k];
      if (code) codes.set(g, code);
      else g.claim.decision = { ok: false, reason: "sold_out", limit: drop.perPlayerLimit };
    }
  }
  return codes;
}
