import "server-only";
import { type SQL, sql } from "drizzle-orm";
import type { Tx } from "@/db/client";
import { enqueueJobs } from "@/lib/jobs/outbox";
import type { WebhookEventType } from "./model";

export type WebhookEvent = { type: WebhookEventType; data: Record<string, unknown> };

/** What the worker's `webhook` queue carries: the delivery to send, and whether an admin asked. */
export type WebhookJob = { deliveryId: string; replay?: boolean };

/**
 * Events that happened in the caller's transaction: a delivery row per enabled endpoint that
 * subscribed to the event's type, and a `webhook` job for each through the outbox, so nothing is
 * sent for a transaction that rolls back. With no endpoint subscribed it writes nothing.
 */
export async function emitWebhookEvents(tx: Tx, events: readonly WebhookEvent[]): Promise<void> {
  if (events.length === 0) return;
  await insertDeliveries(
    tx,
    sql`select type, data from unnest(${sql.param(events.map((e) => e.type))}::text[],
                                      ${sql.param(events.map((e) => JSON.stringify(e.data)))}::jsonb[])
          as t(type, data)`,
    events.map((e) => e.type),
  );
}

/**
 * Events about redemptions (created, delivered, failed for good), their data read here from the
 * redemption and its delivery, so callers on the claim path pass ids only and pay one statement
 * (that reads nothing when no endpoint subscribed).
 */
export async function emitRedemptionEvents(
  tx: Tx,
  type: Extract<WebhookEventType, "redemption.created" | "delivery.succeeded" | "delivery.failed">,
  redemptionIds: readonly string[],
): Promise<void> {
  if (redemptionIds.length === 0) return;
  await insertDeliveries(
    tx,
    sql`select ${type}::text as type, jsonb_build_object(
          'redemptionId', r.id, 'playerId', r.player_id, 'prizeId', r.prize_id,
          'dropId', r.drop_id, 'catalogItemId', r.catalog_item_id, 'roundId', r.round_id,
          'status', r.status, 'createdAt', r.created_at,
          'delivery', case when d.redemption_id is null then null else jsonb_build_object(
            'status', d.status, 'provider', d.provider, 'reference', d.reference,
            'txHash', d.tx_hash, 'errorCode', d.last_error_code, 'updatedAt', d.updated_at) end
        ) as data
        from redemptions r left join deliveries d on d.redemption_id = r.id
        where r.id = any(${sql.param(redemptionIds)}::uuid[])`,
    [type],
  );
}

/**
 * `drop.sold_out` when the caller's claim batch took units and none is left. Batches of a drop
 * take turns, so the batch that takes the last unit is the one that sees none left; a unit that
 * comes back (an expiry) and goes again sells the drop out again.
 */
export async function emitDropSoldOutIfLast(tx: Tx, dropId: string): Promise<void> {
  await insertDeliveries(
    tx,
    sql`select 'drop.sold_out'::text as type,
               jsonb_build_object('dropId', d.id, 'title', d.title, 'soldOutAt', now()) as data
        from drops d
        where d.id = ${dropId}
          and not exists (select 1 from drop_units u
                          where u.drop_id = d.id and u.status = 'available')`,
    ["drop.sold_out"],
  );
}

/**
 * One statement for the rows: each event gets one id (the `webhook-id` every endpoint, attempt
 * and replay sees), wrapped in the Standard Webhooks envelope `{type, timestamp, data}`. The
 * events' query runs only when some enabled endpoint subscribed to one of `types`.
 */
async function insertDeliveries(tx: Tx, events: SQL, types: readonly string[]): Promise<void> {
  const rows = await tx.execute<{ id: string }>(sql`
    with subscribed as materialized (
      select id, event_types from webhook_endpoints
      where enabled and event_types && ${sql.param([...new Set(types)])}::text[]
    ), events as materialized (
      select 'evt_' || replace(gen_random_uuid()::text, '-', '') as event_id, e.type, e.data
      from (${events}) e
      where exists (select 1 from subscribed)
    )
    insert into webhook_deliveries (endpoint_id, event_id, type, payload)
    select s.id, e.event_id, e.type,
           jsonb_build_object('type', e.type, 'timestamp', now(), 'data', e.data)
    from events e join subscribed s on e.type = any(s.event_types)
    returning id`);
  await enqueueJobs(
    tx,
    rows.map((r) => ({
      queue: "webhook" as const,
      data: { deliveryId: r.id } satisfies WebhookJob,
    })),
  );
}
