import "server-only";
import { sql } from "drizzle-orm";
import type { Db, DbOrTx, Tx } from "@/db/client";
import { notify } from "@/db/notify";
import { executePrepared } from "@/db/prepared";
import type { DeliveryProviderName, DeliveryStatus } from "@/lib/delivery/model";
import { AppError } from "@/lib/errors/app-error";
import { enqueueJobs } from "@/lib/jobs/outbox";
import { enqueuePushJobs } from "@/lib/push/send-push";
import type { PrizeRecovery } from "@/lib/redemptions/model";
import { formatCoins } from "@/lib/wallet/model";
import {
  type CancelCause,
  type DeliveryOutcome,
  describeCancelled,
  describeConfirmed,
  describeDelivery,
  describeNextStep,
  describeReminder,
  describeReversed,
  type MarkRead,
  type NewNotification,
  type NextStep,
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
 * (notification-mail.ts): a notification exists exactly when what it tells does. A redemption
 * is told each kind of thing once: writing the same again (a step recorded twice) changes
 * nothing. Returns how many were new.
 */
export async function notifyPlayers(tx: Tx, items: readonly NewNotification[]): Promise<number> {
  if (items.length === 0) return 0;
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
  return made.length;
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
  delivery_status: DeliveryStatus | null;
};

async function redemptionFacts(tx: Tx, redemptionIds: readonly string[]): Promise<FactsRow[]> {
  return executePrepared<FactsRow>(
    tx,
    sql`
    select r.id as redemption_id, r.player_id, p.name as prize_name, r.status, r.action_deadline,
           case when r.round_id is not null then 'round'
                when r.catalog_item_id is not null then 'catalog'
                when d.allocation = 'lottery' then 'draw'
                else 'claim' end as origin,
           dl.provider, dl.status as delivery_status
    from redemptions r
      join prizes p on p.id = r.prize_id
      left join drops d on d.id = r.drop_id
      left join deliveries dl on dl.redemption_id = r.id
    where r.id = any(${sql.param([...redemptionIds])}::uuid[])
    order by r.id`,
  );
}

const toFacts = (row: FactsRow) => ({
  redemptionId: row.redemption_id,
  playerId: row.player_id,
  prizeName: row.prize_name,
});

const toDeadline = (row: FactsRow) =>
  row.action_deadline && new Date(row.action_deadline).toISOString();

/**
 * New redemptions (a claim, a draw, a round's prize, a catalog purchase), in their transaction:
 * each is confirmed, and one that waits for its player is told what to do next.
 */
export async function notifyRedemptionsIssued(
  tx: Tx,
  redemptionIds: readonly string[],
): Promise<void> {
  if (redemptionIds.length === 0) return;
  const rows = await redemptionFacts(tx, redemptionIds);
  await notifyPlayers(tx, [
    ...rows.map((row) =>
      describeConfirmed({
        ...toFacts(row),
        origin: row.origin,
        status: row.status,
        actionDeadline: toDeadline(row),
      }),
    ),
    ...nextStepsOf(rows),
  ]);
}

/** What a redemption waits for from its player, if anything. */
function nextStepOf(row: FactsRow): NextStep | null {
  if (row.status === "awaiting_action") return "address";
  if (row.status === "held") return "identity";
  if (row.status === "fulfilled" && row.provider === "token" && row.delivery_status === "waiting") {
    return "wallet";
  }
  return null;
}

function nextStepsOf(rows: readonly FactsRow[]): NewNotification[] {
  return rows.flatMap((row) => {
    const step = nextStepOf(row);
    return step ? [describeNextStep(toFacts(row), step, toDeadline(row))] : [];
  });
}

/**
 * Redemptions that came to wait for their player after they were made (a held prize released to
 * an address, a token payout without a wallet), in the transaction that made them wait. Each
 * step is told once per redemption; one not waiting any more is passed over.
 */
export async function notifyNextSteps(tx: Tx, redemptionIds: readonly string[]): Promise<void> {
  if (redemptionIds.length === 0) return;
  await notifyPlayers(tx, nextStepsOf(await redemptionFacts(tx, redemptionIds)));
}

/** A delivery delivered or dead, in the transaction that moved it. */
export async function notifyDeliveryOutcome(
  tx: Tx,
  redemptionId: string,
  outcome: DeliveryOutcome,
): Promise<void> {
  const [row] = await redemptionFacts(tx, [redemptionId]);
  if (!row?.provider) return;
  await notifyPlayers(tx, [describeDelivery(toFacts(row), outcome, row.provider)]);
}

/**
 * Deliveries cancelled because their redemptions ended (expired, or rejected with the coins
 * given back), in the transaction that ended them. The cancellation itself is a trigger's
 * (migration 0019), which cannot word a notification: whoever ends a redemption tells it here.
 * A reversal tells the player itself (notifyRedemptionReversed). Only deliveries the trigger
 * did cancel are told: one already delivered was not.
 */
export async function notifyDeliveriesCancelled(
  tx: Tx,
  cause: CancelCause,
  ended: ReadonlyArray<{ redemptionId: string; refundedMinor?: number }>,
): Promise<void> {
  if (ended.length === 0) return;
  const refunds = new Map(ended.map((e) => [e.redemptionId, e.refundedMinor]));
  const rows = await redemptionFacts(
    tx,
    ended.map((e) => e.redemptionId),
  );
  await notifyPlayers(
    tx,
    rows
      .filter((row) => row.delivery_status === "cancelled")
      .map((row) => {
        const refund = refunds.get(row.redemption_id);
        return describeCancelled(toFacts(row), cause, refund ? formatCoins(refund) : null);
      }),
  );
}

/** How long before its deadline a next step is reminded of. */
export const REMINDER_LEAD_MS = 24 * 60 * 60 * 1000;

/**
 * Reminds players of next steps whose deadline is less than a day away and still not taken,
 * once each: the reminder's (redemption, kind) is unique, so a second sweep, or a second worker
 * sweeping at the same moment, inserts nothing and queues no mail. The rows are locked (skipping
 * those another sweep holds) so an address given meanwhile is seen. Returns how many were told.
 */
export async function remindNextSteps(db: Db, now: Date, limit = 500): Promise<number> {
  return db.transaction(async (tx) => {
    const due = await tx.execute<{ id: string }>(sql`
      select r.id from redemptions r
      where r.status = 'awaiting_action'
        and r.action_deadline > ${now.toISOString()}::timestamptz
        and r.action_deadline <= ${new Date(now.getTime() + REMINDER_LEAD_MS).toISOString()}::timestamptz
        and not exists (select 1 from notifications n
                        where n.redemption_id = r.id and n.kind = 'next_step_reminder')
      order by r.action_deadline
      limit ${limit}
      for no key update of r skip locked`);
    if (due.length === 0) return 0;
    const reminders = (
      await redemptionFacts(
        tx,
        due.map((r) => r.id),
      )
    ).flatMap((row) => {
      const step = nextStepOf(row);
      const deadline = toDeadline(row);
      return step && deadline ? [describeReminder(toFacts(row), step, deadline)] : [];
    });
    return notifyPlayers(tx, reminders);
  });
}

/** A redemption an admin reversed, in the reversal's transaction. */
export async function notifyRedemptionReversed(
  tx: Tx,
  redemptionId: string,
  reason: string,
  prize: PrizeRecovery,
): Promise<void> {
  const [row] = await redemptionFacts(tx, [redemptionId]);
  if (!row) return;
  await notifyPlayers(tx, [describeReversed(toFacts(row), reason, prize)]);
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
