import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { ledgerNodes } from "@/db/schema";
import type { Hash, NodeId } from "@/lib/ledger/merkle";

const key = (id: NodeId) => `${id.level}:${id.index}`;

/** Loads the given perfect-subtree hashes in one query and returns a getter for them. */
export async function loadNodes(db: DbOrTx, ids: NodeId[]): Promise<(id: NodeId) => Hash> {
  const found = new Map<string, Hash>();
  if (ids.length > 0) {
    const levels = ids.map((id) => id.level);
    const indexes = ids.map((id) => id.index);
    const rows = await db
      .select()
      .from(ledgerNodes)
      .where(
        sql`(${ledgerNodes.level}, ${ledgerNodes.index}) in (select * from unnest(${sql.param(levels)}::smallint[], ${sql.param(indexes)}::bigint[]))`,
      );
    for (const row of rows) found.set(key(row), row.hash);
  }
  return (id) => {
    const hash = found.get(key(id));
    if (!hash) throw new Error(`ledger node ${key(id)} is missing`);
    return hash;
  };
}
