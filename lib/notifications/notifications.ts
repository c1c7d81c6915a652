import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "@/db/client";
import { notify } from "@/db/notify";
import type { DeliveryProviderName } from "@/lib/delivery/model";
import { AppError } from "@/lib/errors/app-error";
import { enqueueJobs } from "@/lib/jobs/outbox";
import { enqueuePushJobs } from "@/lib/push/send-push";
import {
  type DeliveryOutcome,
  describeConfirmed,
  describeDelivery,
  describeReversed,
  type MarkRead,
  type NewNotification,
  NOTIFICATION_PAGE_SIZE,
  type NotificationKind,
  type NotificationPage,
  type NotificationView,
  type RedemptionFacts,
  type UnreadCount,
} from "./model";

/** A NOTIFY payload stays under PostgreSQL's 8000 bytes: longer lists of players are split. */
const MAX_PAYLOAD = 7000;

/**
 * Writes notifications in the caller's transaction and tells open pages at its commit (the
 * `notifications` channel, player ids joined by commas), with a `mail` job each for its email
 * (notification-mail.ts): a notification exists exactly when what it tells does. A redemption is told each kind of thing once: writing the same again
 * (a step recorded twice) changes nothing.
 */
export async function notifyPlayers(tx: Tx, items: readonly NewNotification[]): Promise<void> {
  if (items.length === 0) return;
  const made = await tx.execute<{ id: string }>(sql`
    insert into notifications (player_id, kind, title, body, link, redemption_id)
    select * from unnest(${sql.param(items.map((n) => n.playerId))}::uuid[],
                         ${sql.param(items.map((n) => n.kind))}::notification_kind[],
                         ${sql.param(items.map((n) => n.title))}::text[],
                         ${sql.param(items.map((n) => n.body))}::text[],
                         ${sql.param(items.map((n) => n.link))}::text[],
                         ${sql.param(items.map((n) => n.redemptionId))}::uuid[])
    on conflict (redemption_id, kind) where redemption_id is not null do nothing
    returning id`);
  await enqueueJobs(
    tx,
    made.map((row) => ({ queue: "mail", data: { notificationId: row.id } })),
  );
  // And one per browser the player turned push on in (lib/push/send-push.ts).
  await enqueuePushJobs(
    tx,
    made.map((row) => row.id),
  );
  await tellPlayers(
    tx,
    items.map((n) => n.playerId),
  );
}

async function tellPlayers(db: DbOrTx, playerIds: readonly string[]): Promise<void> {
  let payload = "";
  for (const id of new Set(playerIds)) {
    if (payload.length + id.length + 1 > MAX_PAYLOAD) {
      await notify(db, "notifications", payload);
      payload = "";
    }
    payload = payload ? `${payload},${id}` : id;
  }
  if (payload) await notify(db, "notifications", payload);
}

type FactsRow = {
  redemption_id: string;
  player_id: string;
  prize_name: string;
  origin: RedemptionFacts["origin"];
  status: RedemptionFacts["status"];
  action_deadline: Date | null;
  provider: DeliveryProviderName | null;
};

async function redemptionFacts(tx: Tx, redemptionIds: readonly string[]): Promise<FactsRow[]> {
  return tx.execute<FactsRow>(sql`
    select r.id as redemption_id, r.player_id, p.name as prize_name, r.status, r.action_deadline,
           case when r.round_id is not null then 'round'
                when r.catalog_item_id is not null then 'catalog'
                when d.allocation = 'lottery' then 'draw'
                else 'claim' end as origin,
           dl.provider
    from redemptions r
      join prizes p on p.id = r.prize_id
      left join drops d on d.id = r.drop_id
      left join deliveries dl on dl.redemption_id = r.id
    where r.id = any(${sql.param([...redemptionIds])}::uuid[])
    order by r.id`);
}

const toFacts = (row: FactsRow) => ({
  redemptionId: row.redemption_id,
  playerId: row.player_id,
  prizeName: row.prize_name,
});

/** New redemptions (a claim, a draw, a round's prize, a catalog purchase), in their transaction. */
export async function notifyRedemptionsIssued(
  tx: Tx,
  redemptionIds: readonly string[],
): Promise<void> {
  if (redemptionIds.length === 0) return;
  const rows = await redemptionFacts(tx, redemptionIds);
  await notifyPlayers(
    tx,
    rows.map((row) =>
      describeConfirmed({
        ...toFacts(row),
        origin: row.origin,
        status: row.status,
        actionDeadline: row.action_deadline && new Date(row.action_deadline).toISOString(),
      }),
    ),
  );
}

/** A delivery delivered, dead or cancelled, in the transaction that moved it. */
export async function notifyDeliveryOutcome(
  tx: Tx,
  redemptionId: string,
  outcome: DeliveryOutcome,
): Promise<void> {
  const [row] = await redemptionFacts(tx, [redemptionId]);
  if (!row?.provider) return;
  await notifyPlayers(tx, [describeDelivery(toFacts(row), outcome, row.provider)]);
}

/** A redemption an admin reversed, in the reversal's transaction. */
export async function notifyRedemptionReversed(
  tx: Tx,
  redemptionId: string,
  reason: string,
): Promise<void> {
  const [row] = await redemptionFacts(tx, [redemptionId]);
  if (!row) return;
  await notifyPlayers(tx, [describeReversed(toFacts(row), reason)]);
}

type NotificationRow = {
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  link: string | null;
  redemption_id: string | null;
  created_at: Date;
  read_at: Date | null;
};

/** How many of the player's notifications are unread: the bell's figure. */
export async function countUnread(db: DbOrTx, playerId: string): Promise<UnreadCount> {
  const [row] = await db.execute<{ unread: number }>(sql`
    select count(*)::int as unread from notifications
    where player_id = ${playerId} and read_at is null`);
  return { unread: row?.unread ?? 0 };
}

/**
 * The player's notifications, newest first, a page at a time. The cursor is the id of the last
 * one of the previous page; an id that is not one of the player's is refused, not read as
 * "from the start", so a page is never repeated unnoticed.
 */
export async function listNotifications(
  db: DbOrTx,
  playerId: string,
  { cursor, limit = NOTIFICATION_PAGE_SIZE }: { cursor?: string; limit?: number } = {},
): Promise<NotificationPage> {
  let after = sql``;
  if (cursor) {
    const [from] = await db.execute<{ id: string }>(sql`
      select id from notifications where id = ${cursor} and player_id = ${playerId}`);
    if (!from) throw new AppError("not_found", "No such notification to continue from");
    // Compared in the database: a Date keeps milliseconds, created_at has microseconds.
    after = sql`and (created_at, id) < (select created_at, id from notifications where id = ${cursor})`;
  }
  const rows = await db.execute<NotificationRow>(sql`
    select id, kind, title, body, link, redemption_id, created_at, read_at from notifications
    where player_id = ${playerId} ${after}
    order by created_at desc, id desc
    limit ${limit + 1}`);
  const page = rows.slice(0, limit);
  return {
    ...(await countUnread(db, playerId)),
    notifications: page.map(toView),
    nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}

function toView(row: NotificationRow): NotificationView {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    link: row.link,
    redemptionId: row.redemption_id,
    createdAt: new Date(row.created_at).toISOString(),
    readAt: row.read_at && new Date(row.read_at).toISOString(),
  };
}

/**
 * Marks some of the player's notifications read, or all unread ones. Ids that are not the
 * player's, or already read, are passed over: marking read twice is no error. Open pages of
 * the player's hear of it, so the bell falls in every tab.
 */
export async function markNotificationsRead(
  db: DbOrTx,
  playerId: string,
  which: MarkRead,
): Promise<UnreadCount & { marked: number }> {
  const only = "ids" in which ? sql`and id = any(${sql.param(which.ids)}::uuid[])` : sql``;
  const marked = await db.execute<{ id: string }>(sql`
    update notifications set read_at = now()
    where player_id = ${playerId} and read_at is null ${only}
    returning id`);
  if (marked.length > 0) await tellPlayers(db, [playerId]);
  return { marked: marked.length, ...(await countUnread(db, playerId)) };
}
