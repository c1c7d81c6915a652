import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "@/db/client";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { encryptCode } from "@/lib/codes/code-crypto";
import { AppError } from "@/lib/errors/app-error";
import { enqueueJobs } from "@/lib/jobs/outbox";
import type { WebhookJob } from "./emit-events";
import { parseEndpointUrl } from "./endpoint-address";
import type {
  WebhookDeliveryView,
  WebhookEndpointInput,
  WebhookEndpointView,
  WebhookEventType,
} from "./model";
import { generateWebhookSecret } from "./signature";

export type WebhookActor = { actorId: string; tokenId?: string | null } & RequestContext;

/** How long the secret before a rotation keeps signing beside the new one. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** How many of an endpoint's deliveries the admin page and API list, newest first. */
export const RECENT_DELIVERIES = 50;

type EndpointRow = {
  id: string;
  url: string;
  event_types: string[];
  enabled: boolean;
  created_by: string | null;
  created_at: Date | string;
  previous_secret_until: Date | string | null;
};

const endpointColumns = sql`id, url, event_types, enabled, created_by, created_at,
                            previous_secret_until`;

function toEndpointView(row: EndpointRow, now = new Date()): WebhookEndpointView {
  const until = row.previous_secret_until ? new Date(row.previous_secret_until) : null;
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.event_types as WebhookEventType[],
    enabled: row.enabled,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    previousSecretUntil: until && until > now ? until.toISOString() : null,
  };
}

export async function listWebhookEndpoints(db: DbOrTx): Promise<WebhookEndpointView[]> {
  const rows = await db.execute<EndpointRow>(sql`
    select ${endpointColumns} from webhook_endpoints order by created_at desc, id`);
  return rows.map((r) => toEndpointView(r));
}

/**
 * A new endpoint with a fresh secret, answered once here and never again (it is stored
 * encrypted, and no view carries it). Audited without the secret.
 */
export async function createWebhookEndpoint(
  db: Db,
  input: WebhookEndpointInput,
  actor: WebhookActor,
  options: { allowPrivate: boolean },
): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
  const url = parseEndpointUrl(input.url, options.allowPrivate).href;
  const secret = generateWebhookSecret();
  const sealed = encryptCode(secret);
  return db.transaction(async (tx) => {
    const [row] = await tx.execute<EndpointRow>(sql`
      insert into webhook_endpoints (url, secret_ciphertext, secret_key_id, event_types, created_by)
      values (${url}, ${Buffer.from(sealed.ciphertext)}, ${sealed.keyId},
              ${sql.param(input.eventTypes)}::text[], ${actor.actorId})
      returning ${endpointColumns}`);
    if (!row) throw new Error("the endpoint was not inserted");
    const endpoint = toEndpointView(row);
    await audit(tx, actor, "webhook_endpoint_create", `webhook_endpoint:${endpoint.id}`, {
      before: null,
      after: { url, eventTypes: endpoint.eventTypes, enabled: true },
    });
    return { endpoint, secret };
  });
}

/** Enables or disables an endpoint: a disabled one gets no new deliveries, and queued ones die. */
export async function setWebhookEndpointEnabled(
  db: Db,
  endpointId: string,
  enabled: boolean,
  actor: WebhookActor,
): Promise<WebhookEndpointView> {
  return db.transaction(async (tx) => {
    const before = await lockEndpoint(tx, endpointId);
    const [row] = await tx.execute<EndpointRow>(sql`
      update webhook_endpoints set enabled = ${enabled} where id = ${endpointId}
      returning ${endpointColumns}`);
    if (!row) throw notFound();
    await audit(tx, actor, "webhook_endpoint_update", `webhook_endpoint:${endpointId}`, {
      before: { enabled: before.enabled },
      after: { enabled },
    });
    return toEndpointView(row);
  });
}

/**
 * A new secret, answered once; the one it replaces keeps signing beside it for a day (both
 * signatures are sent), so the operator can switch their receiver without losing a message.
 */
export async function rotateWebhookSecret(
  db: Db,
  endpointId: string,
  actor: WebhookActor,
  now = new Date(),
): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
  const secret = generateWebhookSecret();
  const sealed = encryptCode(secret);
  const until = new Date(now.getTime() + ROTATION_OVERLAP_MS);
  return db.transaction(async (tx) => {
    await lockEndpoint(tx, endpointId);
    const [row] = await tx.execute<EndpointRow>(sql`
      update webhook_endpoints set
        previous_secret_ciphertext = secret_ciphertext,
        previous_secret_key_id = secret_key_id,
        previous_secret_until = ${until.toISOString()}::timestamptz,
        secret_ciphertext = ${Buffer.from(sealed.ciphertext)},
        secret_key_id = ${sealed.keyId}
      where id = ${endpointId}
      returning ${endpointColumns}`);
    if (!row) throw notFound();
    await audit(tx, actor, "webhook_secret_rotate", `webhook_endpoint:${endpointId}`, {
      previousSecretUntil: until.toISOString(),
    });
    return { endpoint: toEndpointView(row, now), secret };
  });
}

type DeliveryRow = {
  id: string;
  endpoint_id: string;
  event_id: string;
  type: string;
  payload: unknown;
  state: string;
  created_at: Date | string;
  attempts: WebhookDeliveryView["attempts"];
};

/** An endpoint's recent deliveries, newest first, each with every attempt. */
export async function listWebhookDeliveries(
  db: DbOrTx,
  endpointId: string,
): Promise<WebhookDeliveryView[]> {
  if (!isUuid(endpointId)) return [];
  const rows = await db.execute<DeliveryRow>(sql`
    select id, endpoint_id, event_id, type, payload, state, created_at, attempts
    from webhook_deliveries where endpoint_id = ${endpointId}
    order by created_at desc, id desc limit ${RECENT_DELIVERIES}`);
  return rows.map((r) => ({
    id: r.id,
    endpointId: r.endpoint_id,
    eventId: r.event_id,
    type: r.type as WebhookEventType,
    payload: r.payload,
    state: r.state as WebhookDeliveryView["state"],
    createdAt: new Date(r.created_at).toISOString(),
    attempts: r.attempts,
  }));
}

export async function findWebhookEndpoint(
  db: DbOrTx,
  endpointId: string,
): Promise<WebhookEndpointView | null> {
  if (!isUuid(endpointId)) return null;
  const [row] = await db.execute<EndpointRow>(sql`
    select ${endpointColumns} from webhook_endpoints where id = ${endpointId}`);
  return row ? toEndpointView(row) : null;
}

/**
 * Sends a delivery again, whatever its state, with the same `webhook-id`: a new attempt through
 * the queue (retried like any other if it fails). Refused for a disabled endpoint.
 */
export async function replayWebhookDelivery(
  db: Db,
  deliveryId: string,
  actor: WebhookActor,
): Promise<void> {
  if (!isUuid(deliveryId)) throw new AppError("not_found", "No such webhook delivery");
  await db.transaction(async (tx) => {
    const [row] = await tx.execute<{ enabled: boolean; event_id: string }>(sql`
      select e.enabled, d.event_id from webhook_deliveries d
      join webhook_endpoints e on e.id = d.endpoint_id
      where d.id = ${deliveryId}`);
    if (!row) throw new AppError("not_found", "No such webhook delivery");
    if (!row.enabled) {
      throw new AppError("bad_request", "The endpoint is disabled: enable it to replay", {
        reason: "endpoint_disabled",
      });
    }
    await enqueueJobs(tx, [
      { queue: "webhook", data: { deliveryId, replay: true } satisfies WebhookJob },
    ]);
    await audit(tx, actor, "webhook_replay", `webhook_delivery:${deliveryId}`, {
      eventId: row.event_id,
    });
  });
}

const isUuid = (id: string) => z.uuid().safeParse(id).success;

async function lockEndpoint(tx: DbOrTx, endpointId: string): Promise<{ enabled: boolean }> {
  if (!isUuid(endpointId)) throw notFound();
  const [row] = await tx.execute<{ enabled: boolean }>(sql`
    select enabled from webhook_endpoints where id = ${endpointId} for update`);
  if (!row) throw notFound();
  return row;
}

const notFound = () => new AppError("not_found", "No such webhook endpoint");

function audit(
  tx: DbOrTx,
  actor: WebhookActor,
  action: string,
  subject: string,
  data: Record<string, unknown>,
): Promise<void> {
  const { actorId, tokenId, ...context } = actor;
  return recordEvent(tx, {
    ...context,
    actorId,
    tokenId: tokenId ?? null,
    action,
    subject,
    outcome: "ok",
    data,
  });
}
