import "server-only";
import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { AppError } from "@/lib/errors/app-error";
import { parsePushEndpoint } from "./endpoint";
import { MAX_PUSH_SUBSCRIPTIONS, type PushState, type PushSubscriptionInput } from "./model";
import { p256PublicKey } from "./p256-key";

export type PushOptions = {
  /** VAPID_PUBLIC_KEY; undefined: push is off on this server. */
  publicKey: string | undefined;
  /** PUSH_ALLOW_INSECURE: endpoints on loopback and private networks (the tests). */
  allowInsecure: boolean;
};

/** Whether the browser's key is a point of P-256: pushes could not be encrypted to it otherwise. */
function isP256Point(p256dh: string): boolean {
  try {
    p256PublicKey(Buffer.from(p256dh, "base64url"));
    return true;
  } catch {
    return false;
  }
}

/** The key to subscribe with, and how many browsers the player gets pushes in. */
export async function getPushState(
  db: DbOrTx,
  userId: string,
  options: Pick<PushOptions, "publicKey">,
): Promise<PushState> {
  const [row] = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from push_subscriptions where user_id = ${userId}`);
  return { publicKey: options.publicKey ?? null, subscriptions: row?.n ?? 0 };
}

/**
 * Saves the browser's subscription for the player. Subscribing again (a browser renews its keys)
 * updates the row; an endpoint another account subscribed with moves to this one, since a
 * browser pushes to whoever last turned push on in it. Beyond MAX_PUSH_SUBSCRIPTIONS the one
 * unused longest goes: browsers are forgotten without unsubscribing, and a player must always
 * be able to add the one in hand.
 */
export async function savePushSubscription(
  db: Db,
  userId: string,
  input: PushSubscriptionInput,
  options: PushOptions,
): Promise<PushState> {
  if (!options.publicKey) {
    throw new AppError("unavailable", "Push notifications are off on this server");
  }
  parsePushEndpoint(input.endpoint, options.allowInsecure);
  if (!isP256Point(input.keys.p256dh)) {
    throw new AppError("invalid_input", "keys.p256dh is not a P-256 public key", {
      field: "keys",
      reason: "p256dh",
    });
  }
  return db.transaction(async (tx) => {
    // One player's subscribing is one after another, so the count below holds.
    await tx.execute(sql`select 1 from users where id = ${userId} for update`);
    await tx.execute(sql`
      insert into push_subscriptions (user_id, endpoint, p256dh, auth)
      values (${userId}, ${input.endpoint}, ${input.keys.p256dh}, ${input.keys.auth})
      on conflict (endpoint) do update
        set user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth,
            failure_count = 0`);
    await tx.execute(sql`
      delete from push_subscriptions where id in (
        select id from push_subscriptions where user_id = ${userId}
        -- The one just saved stays, whatever its age: it may have moved from another account.
        order by endpoint = ${input.endpoint} desc, coalesce(last_success_at, created_at) desc,
                 id desc
        offset ${MAX_PUSH_SUBSCRIPTIONS})`);
    return getPushState(tx, userId, options);
  });
}

/** Removes one of the player's subscriptions (the browser turned push off). */
export async function removePushSubscription(
  db: DbOrTx,
  userId: string,
  endpoint: string,
  options: Pick<PushOptions, "publicKey">,
): Promise<PushState> {
  const removed = await db.execute<{ id: string }>(sql`
    delete from push_subscriptions where user_id = ${userId} and endpoint = ${endpoint}
    returning id`);
  if (removed.length === 0) {
    throw new AppError("not_found", "This browser is not subscribed to push notifications");
  }
  return getPushState(db, userId, options);
}
