import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { decryptCode } from "@/lib/codes/code-crypto";
import { isAppError } from "@/lib/errors/app-error";
import { postOutbound } from "@/lib/http/post-outbound";
import { type JobOutcome, QUEUES } from "@/lib/jobs/queue";
import type { Log } from "@/lib/log";
import type { WebhookJob } from "./emit-events";
import { parseEndpointUrl } from "./endpoint-address";
import type { WebhookAttempt, WebhookDeliveryState } from "./model";
import { signWebhook } from "./signature";

export type WebhookDeps = {
  db: Db;
  log: Log;
  /** WEBHOOK_ALLOW_PRIVATE: endpoints on loopback and private networks (tests, the demo). */
  allowPrivate: boolean;
  timeoutMs?: number;
  now?: () => Date;
};

/** How much of an answer is read: a receiver's body is never used, only its status. */
const MAX_ANSWER_BYTES = 64 * 1024;

type Row = {
  event_id: string;
  payload: unknown;
  state: WebhookDeliveryState;
  url: string;
  enabled: boolean;
  secret_ciphertext: Buffer;
  secret_key_id: string;
  previous_secret_ciphertext: Buffer | null;
  previous_secret_key_id: string | null;
  previous_secret_until: Date | null;
};

/**
 * One POST of a webhook delivery, signed per Standard Webhooks, its attempt recorded. A 2xx is
 * delivered; anything else (a status, a refused or broken connection, no answer within the
 * timeout, a redirect, which is never followed) is retried by the queue's backoff until its
 * retries are spent, then dead. A delivery already delivered is not sent again unless an admin
 * replays it; a replay keeps the event's `webhook-id`, so a receiver that saw it can tell.
 */
export async function runWebhookJob(
  deps: WebhookDeps,
  job: { data: WebhookJob; retryCount: number },
): Promise<JobOutcome> {
  const { db } = deps;
  const now = deps.now?.() ?? new Date();
  const replay = job.data.replay === true;
  const [row] = await db.execute<Row>(sql`
    select d.event_id, d.payload, d.state, e.url, e.enabled, e.secret_ciphertext, e.secret_key_id,
           e.previous_secret_ciphertext, e.previous_secret_key_id, e.previous_secret_until
    from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
    where d.id = ${job.data.deliveryId}`);
  if (!row) return "completed";
  if (!replay && (row.state === "delivered" || row.state === "dead")) return "completed";
  if (!row.enabled) {
    await db.execute(sql`
      update webhook_deliveries set state = 'dead', updated_at = now()
      where id = ${job.data.deliveryId} and state <> 'delivered'`);
    return "completed";
  }
  const secrets = [decryptCode(row.secret_ciphertext, row.secret_key_id)];
  if (
    row.previous_secret_ciphertext &&
    row.previous_secret_key_id &&
    row.previous_secret_until &&
    new Date(row.previous_secret_until) > now
  ) {
    secrets.push(decryptCode(row.previous_secret_ciphertext, row.previous_secret_key_id));
  }
  const body = JSON.stringify(row.payload);
  const timestamp = Math.floor(now.getTime() / 1000);
  const result = await postWebhook(
    row.url,
    body,
    {
      "content-type": "application/json",
      "user-agent": "Prizeledger-Webhooks/1",
      "webhook-id": row.event_id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signWebhook(secrets, { id: row.event_id, timestamp, body }),
    },
    deps,
  );
  const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  const spent = job.retryCount >= QUEUES.webhook.retryLimit;
  const attempt: WebhookAttempt = { at: now.toISOString(), ...result, replay };
  // A failed replay never takes back a delivery that once succeeded.
  await db.execute(sql`
    update webhook_deliveries set
      attempts = attempts || jsonb_build_array(${JSON.stringify(attempt)}::jsonb),
      state = case when ${ok} then 'delivered' when state = 'delivered' then 'delivered'
                   else ${spent ? "dead" : "failed"} end,
      updated_at = now()
    where id = ${job.data.deliveryId}`);
  if (ok) return "completed";
  deps.log.warning("webhook_attempt_failed", {
    deliveryId: job.data.deliveryId,
    statusCode: result.statusCode,
    error: result.error,
    retryCount: job.retryCount,
  });
  return spent ? "dead" : "retry";
}

/** The POST itself: the answer's status, or why there was none, and how long it took. */
async function postWebhook(
  target: string,
  body: string,
  headers: Record<string, string>,
  deps: WebhookDeps,
): Promise<Pick<WebhookAttempt, "statusCode" | "error" | "durationMs">> {
  let url: URL;
  try {
    url = parseEndpointUrl(target, deps.allowPrivate);
  } catch (error) {
    return {
      statusCode: null,
      error: isAppError(error) ? error.message : "bad URL",
      durationMs: 0,
    };
  }
  return postOutbound(url, body, headers, {
    allowPrivate: deps.allowPrivate,
    timeoutMs: deps.timeoutMs ?? 10_000,
    maxAnswerBytes: MAX_ANSWER_BYTES,
  });
}
