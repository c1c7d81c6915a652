import "server-only";
import { type SQL, sql } from "drizzle-orm";

/**
 * The unix second by which a ledger entry's provisional receipt promises it anchored: the entry's
 * time + the deadline, as lib/ledger/sign-receipt.ts signs it. Columns of `ledger_entries`.
 */
export function promisedBy(deadlineSeconds: number): SQL {
  return sql`(floor(extract(epoch from created_at))::bigint + ${deadlineSeconds})`;
}

/** Only redemptions and reversals give their player a receipt, so only they carry a promise. */
export const HAS_RECEIPT = sql`kind in ('redemption', 'reversal')`;
