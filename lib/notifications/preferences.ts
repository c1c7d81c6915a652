import "server-only";
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { executePrepared } from "@/db/prepared";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import {
  type ChannelChoice,
  eventOfKind,
  type NotificationEvent,
  type NotificationKind,
  type NotificationPreferences,
  notificationEvents,
  type PreferencesChange,
  unsubscribeSchema,
} from "./model";

/** Arrays of an enum come back from postgres.js as text unless cast: hence `::text[]`. */
type OffRow = { email_off: NotificationEvent[]; push_off: NotificationEvent[] };

const newToken = () => randomBytes(24).toString("base64url");

function toPreferences(row: OffRow | undefined): NotificationPreferences {
  const events = Object.fromEntries(
    notificationEvents.map((event) => [
      event,
      { email: !row?.email_off.includes(event), push: !row?.push_off.includes(event) },
    ]),
  ) as Record<NotificationEvent, ChannelChoice>;
  return {
    inAppOnly: Object.values(events).every((c) => !c.email && !c.push),
    events,
  };
}

/** The player's choices; everything on for a player who never chose. */
export async function getNotificationPreferences(
  db: DbOrTx,
  playerId: string,
): Promise<NotificationPreferences> {
  const [row] = await executePrepared<OffRow>(
    db,
    sql`
    select email_off::text[] as email_off, push_off::text[] as push_off
    from notification_preferences where player_id = ${playerId}`,
  );
  return toPreferences(row);
}

/** Which channels a notification of this kind goes to for its player, as chosen right now. */
export async function channelsFor(
  db: DbOrTx,
  playerId: string,
  kind: NotificationKind,
): Promise<ChannelChoice> {
  return (await getNotificationPreferences(db, playerId)).events[eventOfKind[kind]];
}

/**
 * Changes some of the player's choices in one statement: the events named are turned off or on
 * inside the stored lists, so two changes at once (two tabs, the API and an unsubscribe link)
 * each keep their own events instead of the last writer's whole set winning. Audited.
 */
export async function changeNotificationPreferences(
  db: Db,
  playerId: string,
  change: PreferencesChange,
  context: RequestContext & { tokenId?: string | null },
): Promise<NotificationPreferences> {
  const pick = (channel: keyof ChannelChoice, on: boolean) =>
    change.inAppOnly
      ? on
        ? []
        : [...notificationEvents]
      : notificationEvents.filter((e) => change.events?.[e]?.[channel] === on);
  return db.transaction(async (tx) => {
    const [row] = await tx.execute<OffRow>(sql`
      insert into notification_preferences as p (player_id, unsubscribe_token, email_off, push_off)
      values (${playerId}, ${newToken()},
              ${sql.param(pick("email", false))}::notification_event[],
              ${sql.param(pick("push", false))}::notification_event[])
      on conflict (player_id) do update set
        email_off = array(select unnest(p.email_off || excluded.email_off)
                          except select unnest(${sql.param(pick("email", true))}::notification_event[])),
        push_off = array(select unnest(p.push_off || excluded.push_off)
                         except select unnest(${sql.param(pick("push", true))}::notification_event[]))
      returning email_off::text[] as email_off, push_off::text[] as push_off`);
    const after = toPreferences(row);
    await recordEvent(tx, {
      ...context,
      actorId: playerId,
      action: "notification_preferences_change",
      subject: `user:${playerId}`,
      outcome: "ok",
      data: { change, after },
    });
    return after;
  });
}

/** The player's unsubscribe token, made with their first notification email. */
export async function unsubscribeTokenFor(db: DbOrTx, playerId: string): Promise<string> {
  const [row] = await executePrepared<{ unsubscribe_token: string }>(
    db,
    sql`
    with made as (
      insert into notification_preferences (player_id, unsubscribe_token)
      values (${playerId}, ${newToken()})
      on conflict (player_id) do nothing
      returning unsubscribe_token)
    select unsubscribe_token from made
    union all
    select unsubscribe_token from notification_preferences where player_id = ${playerId}
    limit 1`,
  );
  if (row) return row.unsubscribe_token;
  // Another email's transaction made the row after this statement's snapshot was taken (its
  // insert waited for that one to commit): a new statement sees it.
  const [made] = await db.execute<{ unsubscribe_token: string }>(sql`
    select unsubscribe_token from notification_preferences where player_id = ${playerId}`);
  if (!made) throw new Error(`no unsubscribe token for ${playerId}`);
  return made.unsubscribe_token;
}

/**
 * Turns notification emails off for the token's player (from the links in each one; no
 * sign-in): those of one event, or all of them. Doing it twice is no error.
 */
export async function unsubscribeFromMail(
  db: DbOrTx,
  token: string,
  event?: NotificationEvent,
): Promise<void> {
  if (!unsubscribeSchema.safeParse({ token, event }).success) {
    throw new AppError("invalid_link", "This unsubscribe link is not valid");
  }
  const off = event ? [event] : [...notificationEvents];
  const rows = await db.execute<{ player_id: string }>(sql`
    update notification_preferences
    set email_off = array(select unnest(email_off)
                          union select unnest(${sql.param(off)}::notification_event[]))
    where unsubscribe_token = ${token}
    returning player_id`);
  if (rows.length === 0) {
    throw new AppError("invalid_link", "This unsubscribe link is not valid");
  }
}
