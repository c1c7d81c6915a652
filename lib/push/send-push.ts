import "server-only";
import { sql } from "drizzle-orm";
import webPush from "web-push";
import type { Db, Tx } from "@/db/client";
import { isAppError } from "@/lib/errors/app-error";
import { type OutboundAnswer, postOutbound } from "@/lib/http/post-outbound";
import { enqueueJobs } from "@/lib/jobs/outbox";
import type { JobOutcome } from "@/lib/jobs/queue";
import type { Log } from "@/lib/log";
import type { NotificationKind } from "@/lib/notifications/model";
import { channelsFor } from "@/lib/notifications/preferences";
import { parsePushEndpoint } from "./endpoint";
import type { PushPayload } from "./model";
import type { VapidKeys } from "./vapid";

/** The `push` queue's job: one notification to one browser. */
export type PushJob = { notificationId: string; subscriptionId: string };

export type PushDeps = {
  db: Db;
  log: Log;
  /** Unset: push is off; jobs already queued are dropped. */
  vapid: VapidKeys | undefined;
  allowInsecure: boolean;
  timeoutMs?: number;
};

/** How long a push service keeps a push for a browser that is offline: a day, then it is news no more. */
export const PUSH_TTL_SECONDS = 24 * 60 * 60;
const MAX_ANSWER_BYTES = 16 * 1024;

/**
 * When a browser is given up: after this many refusals in a row that retrying cannot mend (a
 * key the service rejects, an endpoint it no longer knows by that name)…
 */
export const MAX_REFUSALS = 3;
/** …or this many failures of any kind in a row, none accepted between (days of a dead service). */
export const MAX_FAILURES = 50;

/**
 * Push services take at most 4096 bytes of encrypted payload: the words are cut to stay well
 * within it (a reversal's reason is an admin's free text); the app has them whole.
 */
const clip = (text: string, max: number) =>
  text.length <= max
    ? text
    : `${Array.from(text)
        .slice(0, max - 1)
        .join("")}…`;

/** What needs the player now goes out at once, even to a phone saving its battery. */
const urgencyOf = (kind: NotificationKind): webPush.Urgency =>
  kind === "delivery_delivered" || kind === "delivery_dead" ? "high" : "normal";

/**
 * Jobs pushing the notifications to every browser their players subscribed, in the transaction
 * that wrote the notifications (notifyPlayers): one per browser, so one failing browser retries
 * alone.
 */
export async function enqueuePushJobs(tx: Tx, notificationIds: readonly string[]): Promise<void> {
  if (notificationIds.length === 0) return;
  const rows = await tx.execute<{ notification_id: string; subscription_id: string }>(sql`
    select n.id as notification_id, s.id as subscription_id
    from notifications n join push_subscriptions s on s.user_id = n.player_id
    where n.id = any(${sql.param([...notificationIds])}::uuid[])`);
  await enqueueJobs(
    tx,
    rows.map((r) => ({
      queue: "push",
      data: { notificationId: r.notification_id, subscriptionId: r.subscription_id },
    })),
  );
}

type PushRow = {
  player_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  kind: NotificationKind;
  title: string;
  body: string;
  link: string | null;
};

/**
 * Sends one push (RFC 8030, payload encrypted aes128gcm per RFC 8291, signed with VAPID per RFC
 * 8292), from the `push` queue. Accepted: the browser's record is freshened. 404 or 410: the
 * browser unsubscribed, its row goes. 429, 5xx or no answer: retried. Any other refusal is ours
 * to fix (a payload too large, keys the service rejects): buried, for an admin to see. A
 * subscription that moved to another account since gets nothing of the former one's.
 */
export async function runPushJob(deps: PushDeps, job: PushJob): Promise<JobOutcome> {
  const [row] = await deps.db.execute<PushRow>(sql`
    select n.player_id::text, s.endpoint, s.p256dh, s.auth, n.kind, n.title, n.body, n.link
    from push_subscriptions s join notifications n on n.player_id = s.user_id
    where s.id = ${job.subscriptionId} and n.id = ${job.notificationId}`);
  if (!row) return "completed";
  // The player's choice when it is sent: a push queued before they turned it off stays home.
  if (!(await channelsFor(deps.db, row.player_id, row.kind)).push) return "completed";
  if (!deps.vapid) {
    deps.log.warning("push_off_job_dropped", { notificationId: job.notificationId });
    return "completed";
  }
  const payload: PushPayload = {
    title: clip(row.title, 120),
    body: clip(row.body, 600),
    link: row.link,
  };
  const request = webPush.generateRequestDetails(
    { endpoint: row.endpoint, keys: { p256dh: row.p256dh, auth: row.auth } },
    JSON.stringify(payload),
    {
      vapidDetails: deps.vapid,
      TTL: PUSH_TTL_SECONDS,
      urgency: urgencyOf(row.kind),
      // At least once: a push sent again after a crash replaces the first while it waits at
      // the push service, rather than showing twice (RFC 8030 §5.4).
      topic: job.notificationId.replace(/-/g, ""),
      contentEncoding: "aes128gcm",
    },
  );
  const answer = await postPush(request, deps);
  const { statusCode } = answer;
  if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
    await deps.db.execute(sql`
      update push_subscriptions set last_success_at = now(), failure_count = 0
      where id = ${job.subscriptionId}`);
    return "completed";
  }
  if (statusCode === 404 || statusCode === 410) {
    await deps.db.execute(sql`delete from push_subscriptions where id = ${job.subscriptionId}`);
    deps.log.info("push_subscription_gone", { subscriptionId: job.subscriptionId, statusCode });
    return "completed";
  }
  const [counted] = await deps.db.execute<{ failure_count: number }>(sql`
    update push_subscriptions set failure_count = failure_count + 1
    where id = ${job.subscriptionId} returning failure_count`);
  const failures = counted?.failure_count ?? 0;
  const retry = statusCode === null || statusCode === 429 || statusCode >= 500;
  deps.log.warning("push_refused", {
    subscriptionId: job.subscriptionId,
    statusCode,
    error: answer.error,
    willRetry: retry,
    failures,
  });
  // A browser that always refuses would bury one dead job per notification, for ever: it is
  // dropped instead, and the player subscribes again from /account if they still want pushes.
  if ((!retry && failures >= MAX_REFUSALS) || failures >= MAX_FAILURES) {
    await deps.db.execute(sql`delete from push_subscriptions where id = ${job.subscriptionId}`);
    deps.log.warning("push_subscription_dropped", { subscriptionId: job.subscriptionId, failures });
    return "completed";
  }
  return retry ? "retry" : "dead";
}

/** The POST itself, through the SSRF guard: the answer's status, or why there was none. */
function postPush(request: webPush.RequestDetails, deps: PushDeps): Promise<OutboundAnswer> {
  let url: URL;
  try {
    url = parsePushEndpoint(request.endpoint, deps.allowInsecure);
  } catch (error) {
    // Saved before the server's rule changed (PUSH_ALLOW_INSECURE turned off): refused as a 400.
    const message = isAppError(error) ? error.message : "bad endpoint";
    return Promise.resolve({ statusCode: 400, error: message, durationMs: 0 });
  }
  return postOutbound(url, request.body ?? Buffer.alloc(0), request.headers, {
    allowPrivate: deps.allowInsecure,
    timeoutMs: deps.timeoutMs ?? 10_000,
    maxAnswerBytes: MAX_ANSWER_BYTES,
  });
}
