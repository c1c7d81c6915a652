import "server-only";
import { and, desc, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { checkpoints, drops, ledgerEntries, prizes, redemptions, users } from "@/db/schema";
import { searchAuditEvents } from "@/lib/audit/search-events";
import {
  type AdminRedemptionDetail,
  type AdminRedemptionSummary,
  type RedemptionSearch,
  type RedemptionStatus,
  redemptionOriginOf,
  redemptionStatuses,
} from "./model";

const UUID = z.uuid();

const summaryColumns = {
  id: redemptions.id,
  createdAt: redemptions.createdAt,
  status: redemptions.status,
  playerId: redemptions.playerId,
  playerEmail: users.email,
  dropId: drops.id,
  dropTitle: drops.title,
  prizeId: redemptions.prizeId,
  prizeName: prizes.name,
  prizeKind: prizes.kind,
  catalogItemId: redemptions.catalogItemId,
  roundId: redemptions.roundId,
  priceSc: redemptions.priceSc,
  leafIndex: ledgerEntries.leafIndex,
  /** created_at to the microsecond as fixed-width text: merges pages in the database's order. */
  sortKey: sql<string>`to_char(${redemptions.createdAt} at time zone 'UTC', 'YYYYMMDDHH24MISSUS')`,
};

type SummaryRow = {
  id: string;
  createdAt: Date;
  status: RedemptionStatus;
  playerId: string;
  playerEmail: string;
  dropId: string | null;
  dropTitle: string | null;
  prizeId: string;
  prizeName: string;
  prizeKind: AdminRedemptionSummary["prize"]["kind"];
  catalogItemId: string | null;
  roundId: string | null;
  priceSc: number | null;
  leafIndex: number | null;
  sortKey: string;
};

/** The size of the largest checkpoint on chain: every leaf below it is anchored. */
async function anchoredSize(db: DbOrTx): Promise<number> {
  const [row] = await db
    .select({ size: sql<number>`coalesce(max(${checkpoints.treeSize}), 0)::int` })
    .from(checkpoints)
    .where(eq(checkpoints.status, "anchored"));
  return row?.size ?? 0;
}

function toSummary(row: SummaryRow, anchoredUpTo: number): AdminRedemptionSummary {
  return {
    id: row.id,
    claimedAt: row.createdAt.toISOString(),
    status: row.status,
    player: { id: row.playerId, email: row.playerEmail },
    drop: row.dropId && row.dropTitle ? { id: row.dropId, title: row.dropTitle } : null,
    origin: redemptionOriginOf(row),
    prize: { id: row.prizeId, name: row.prizeName, kind: row.prizeKind },
    anchoring:
      row.leafIndex !== null && row.leafIndex < anchoredUpTo
        ? { status: "anchored", leafIndex: row.leafIndex }
        : { status: "pending", leafIndex: row.leafIndex },
  };
}

const detailColumns = {
  ...summaryColumns,
  unitId: redemptions.unitId,
  actionDeadline: redemptions.actionDeadline,
  shippingAddress: redemptions.shippingAddress,
  expiredAt: redemptions.expiredAt,
  reversedAt: redemptions.reversedAt,
  reversedBy: redemptions.reversedBy,
  reversalReason: redemptions.reversalReason,
  prizeRecovery: redemptions.prizeRecovery,
  reviewedAt: redemptions.reviewedAt,
  rejectionReason: redemptions.rejectionReason,
};

/** The search and the detail read the same columns: a page's few extra values cost nothing. */
function redemptionQuery(db: DbOrTx) {
  return db
    .select(detailColumns)
    .from(redemptions)
    .innerJoin(users, eq(users.id, redemptions.playerId))
    .leftJoin(drops, eq(drops.id, redemptions.dropId))
    .innerJoin(prizes, eq(prizes.id, redemptions.prizeId))
    .leftJoin(
      ledgerEntries,
      and(eq(ledgerEntries.redemptionId, redemptions.id), eq(ledgerEntries.kind, "redemption")),
    );
}

/** The player filter as an account id; undefined when no account has that email. */
async function playerIdOf(db: DbOrTx, player: string): Promise<string | undefined> {
  if (UUID.safeParse(player).success) return player;
  const [row] = await db
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.email}) = lower(${player})`)
    .limit(1);
  return row?.id;
}

/**
 * One page of redemptions, newest first. Each filter narrows on an indexed column that leads an
 * index ending in created_at (player, drop, prize, status), so a page reads about as many rows
 * as it shows even among millions. Keyset pagination on (created_at, id): `after` is the last
 * redemption shown, so pages never shift while claims keep arriving.
 */
export async function searchRedemptions(
  db: DbOrTx,
  search: RedemptionSearch,
): Promise<{ redemptions: AdminRedemptionSummary[]; nextAfter: string | null }> {
  const limit = search.limit ?? 50;
  // Without a filter on an indexed column, newest first over every row would sort them all; the
  // newest of each status (from the (status, created_at) index) merged give the same page.
  if (!search.player && !search.dropId && !search.prizeId && !search.status) {
    const [pages, anchoredUpTo] = await Promise.all([
      Promise.all(redemptionStatuses.map((status) => searchRows(db, { ...search, status }, limit))),
      anchoredSize(db),
    ]);
    const rows = pages
      .flat()
      .sort((x, y) => {
        if (x.sortKey !== y.sortKey) return x.sortKey < y.sortKey ? 1 : -1;
        return x.id < y.id ? 1 : -1;
      })
      .slice(0, limit + 1);
    return toPage(rows, limit, anchoredUpTo);
  }
  const [rows, anchoredUpTo] = await Promise.all([searchRows(db, search, limit), anchoredSize(db)]);
  return toPage(rows, limit, anchoredUpTo);
}

function toPage(
  rows: SummaryRow[],
  limit: number,
  anchoredUpTo: number,
): { redemptions: AdminRedemptionSummary[]; nextAfter: string | null } {
  const page = rows.slice(0, limit).map((row) => toSummary(row, anchoredUpTo));
  const last = page.at(-1);
  return { redemptions: page, nextAfter: rows.length > limit && last ? last.id : null };
}

/** Up to limit + 1 rows matching the search, newest first (one more tells a next page exists). */
async function searchRows(
  db: DbOrTx,
  search: RedemptionSearch,
  limit: number,
): Promise<SummaryRow[]> {
  const where: SQL[] = [];
  if (search.player) {
    const playerId = await playerIdOf(db, search.player);
    if (!playerId) return [];
    where.push(eq(redemptions.playerId, playerId));
  }
  if (search.dropId) where.push(eq(redemptions.dropId, search.dropId));
  if (search.prizeId) where.push(eq(redemptions.prizeId, search.prizeId));
  if (search.status) where.push(eq(redemptions.status, search.status));
  if (search.from) where.push(gte(redemptions.createdAt, search.from));
  if (search.to) where.push(lt(redemptions.createdAt, search.to));
  if (search.after) {
    where.push(
      sql`(${redemptions.createdAt}, ${redemptions.id}) < (select a.created_at, a.id from redemptions a where a.id = ${search.after})`,
    );
  }
  return redemptionQuery(db)
    .where(and(...where))
    .orderBy(desc(redemptions.createdAt), desc(redemptions.id))
    .limit(limit + 1);
}

/** Everything an admin sees of one redemption (never its code). */
export async function getAdminRedemption(
  db: DbOrTx,
  id: string,
): Promise<AdminRedemptionDetail | undefined> {
  if (!UUID.safeParse(id).success) return undefined;
  const [row] = await redemptionQuery(db).where(eq(redemptions.id, id));
  if (!row) return undefined;
  const [anchoredUpTo, entries, reverser, audit] = await Promise.all([
    anchoredSize(db),
    db
      .select({
        kind: ledgerEntries.kind,
        leafIndex: ledgerEntries.leafIndex,
        createdAt: ledgerEntries.createdAt,
      })
      .from(ledgerEntries)
      .where(eq(ledgerEntries.redemptionId, id))
      .orderBy(ledgerEntries.id),
    row.reversedBy
      ? db
          .select({ id: users.id, email: users.email })
          .from(users)
          .where(eq(users.id, row.reversedBy))
      : Promise.resolve([]),
    searchAuditEvents(db, { subject: `redemption:${id}` }, { limit: 100 }),
  ]);
  return {
    ...toSummary(row, anchoredUpTo),
    unitId: row.unitId,
    actionDeadline: row.actionDeadline?.toISOString() ?? null,
    shippingAddress: row.shippingAddress,
    expiredAt: row.expiredAt?.toISOString() ?? null,
    reversal: row.reversedAt
      ? {
          reversedAt: row.reversedAt.toISOString(),
          reason: row.reversalReason ?? "",
          prize: row.prizeRecovery ?? "returned",
          by: reverser[0] ?? null,
        }
      : null,
    rejection:
      row.status === "rejected" && row.reviewedAt
        ? { rejectedAt: row.reviewedAt.toISOString(), reason: row.rejectionReason ?? "" }
        : null,
    ledger: entries.map((e) => ({
      kind: e.kind,
      leafIndex: e.leafIndex,
      anchored: e.leafIndex !== null && e.leafIndex < anchoredUpTo,
      loggedAt: e.createdAt.toISOString(),
    })),
    audit: audit.events,
  };
}
