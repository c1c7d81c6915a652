import "server-only";
import { sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { recordEvents } from "@/lib/audit/record-event";
import { logWarning } from "@/lib/log";
import { decryptCode } from "./code-crypto";

/** A code given out: as stored (encrypted), and in plain for the answer. */
export type Code = { ciphertext: Uint8Array; keyId: string; giftCodeId?: string; plain: string };

// Advisory lock class of a prize's gift codes (two-key form: a key space of its own).
const PRIZE_CODE_LOCK = 0x434f_4445; // "CODE"

/**
 * Takes the prizes' code locks in sorted order: a prize's codes may be given out by several
 * drops, the catalog and game rounds at once, and the lock makes them take turns, so that no code
 * that may come back is skipped and sold out is final.
 */
export async function lockPrizeCodes(tx: Tx, prizeIds: readonly string[]): Promise<void> {
  const sorted = [...new Set(prizeIds)].sort();
  if (sorted.length === 0) return;
  await tx.execute(sql`
    select pg_advisory_xact_lock(${PRIZE_CODE_LOCK}, hashtext(p))
    from unnest(${sql.param(sorted)}::text[]) with ordinality as t(p, n) order by n`);
}

/**
 * Up to `n` unused codes of a prize that decrypt. Codes are taken in id order, so a code that
 * cannot be decrypted would come first in every batch of every drop of the prize, and fail each:
 * it is set aside (quarantined, audited) and the next one taken.
 */
export async function takeUsableCodes(
  tx: Tx,
  prizeId: string,
  n: number,
  dropId: string | null,
): Promise<Code[]> {
  const usable: Code[] = [];
  for (;;) {
    const rows = await tx.execute<{ id: string; ciphertext: Buffer; key_id: string }>(sql`
      select id, ciphertext, key_id from gift_codes
      where prize_id = ${prizeId} and redemption_id is null and quarantined_at is null
      order by id limit ${n - usable.length} for update`);
    const bad: Array<{ id: string; keyId: string; error: string }> = [];
    for (const row of rows) {
      const code = { ciphertext: new Uint8Array(row.ciphertext), keyId: row.key_id };
      try {
        usable.push({
          ...code,
          giftCodeId: row.id,
          plain: decryptCode(code.ciphertext, code.keyId),
        });
      } catch (error) {
        bad.push({ id: row.id, keyId: row.key_id, error: (error as Error).message });
      }
    }
    if (bad.length === 0) return usable;
    await quarantineCodes(tx, prizeId, dropId, bad);
  }
}

async function quarantineCodes(
  tx: Tx,
  prizeId: string,
  dropId: string | null,
  bad: Array<{ id: string; keyId: string; error: string }>,
): Promise<void> {
  await tx.execute(sql`
    update gift_codes set quarantined_at = now()
    where id = any(${sql.param(bad.map((b) => b.id))}::uuid[])`);
  for (const b of bad)
    logWarning("gift_code_quarantined", { giftCodeId: b.id, keyId: b.keyId, prizeId });
  await recordEvents(
    tx,
    bad.map((b) => ({
      action: "gift_code_quarantine",
      subject: `gift_code:${b.id}`,
      outcome: "ok" as const,
      reason: "undecryptable",
      data: { prizeId, dropId, keyId: b.keyId, error: b.error },
    })),
  );
}
