import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import { settleDeadLetters } from "@/lib/jobs/dead-letters";
import { enqueueJobs } from "@/lib/jobs/outbox";
import {
  type AdminDeliveryRow,
  type AdminDeliveryView,
  adminDeliveryColumns,
  toAdminView,
} from "./admin-deliveries";
import { recordDeliveryStep } from "./deliveries";
import type { DeliveryStatus } from "./model";

/**
 * A dead delivery starts over: `pending` again, for a job to take. Returns the delivery as it now
 * is, or null when it was not dead (another admin first, or it was never dead). The attempts and
 * the last error stay: they are the history an admin judged.
 */
export async function restartDeadDelivery(
  tx: Tx,
  redemptionId: string,
): Promise<AdminDeliveryView | null> {
  const [row] = await tx.execute<AdminDeliveryRow>(sql`
    update deliveries d set status = 'pending', updated_at = now()
    where d.redemption_id = ${redemptionId} and d.status = 'dead'
    returning ${adminDeliveryColumns}`);
  return row ? toAdminView(row) : null;
}

/**
 * A delivery under way whose job is gone (an admin cancelled it) would wait for ever: it is dead,
 * waiting for an admin to retry it or reverse the redemption.
 */
export async function buryDelivery(tx: Tx, redemptionId: string, why: string): Promise<void> {
  const [row] = await tx.execute<{ status: DeliveryStatus }>(sql`
    select status from deliveries where redemption_id = ${redemptionId} for update`);
  if (!row || !["pending", "failed", "submitted"].includes(row.status)) return;
  await recordDeliveryStep(tx, redemptionId, {
    status: "dead",
    errorCode: "job_cancelled",
    error: why,
  });
}

/**
 * An admin retries a dead delivery: in one transaction it is `pending` again, a new `delivery` job
 * is queued (the outbox), its dead letters are settled and the retry is audited on the
 * redemption. The provider takes the redemption id as its idempotency key, so a retry can never
 * make a second order. Refused (`not_retryable`) unless the delivery is dead.
 */
export async function retryDelivery(
  db: Db,
  { redemptionId, adminId }: { redemptionId: string; adminId: string },
  context: RequestContext & { tokenId?: string | null } = {},
): Promise<AdminDeliveryView> {
  if (!z.uuid().safeParse(redemptionId).success) {
    throw new AppError("not_found", "No such delivery");
  }
  return db.transaction(async (tx) => {
    const restarted = await restartDeadDelivery(tx, redemptionId);
    if (!restarted) {
      const [current] = await tx.execute<{ status: DeliveryStatus }>(sql`
        select status from deliveries where redemption_id = ${redemptionId}`);
      if (!current) throw new AppError("not_found", "No such delivery");
      throw new AppError(
        "not_retryable",
        `Only a dead delivery can be retried: this one is ${current.status}`,
      );
    }
    await enqueueJobs(tx, [{ queue: "delivery", data: { redemptionId } }]);
    await settleDeadLetters(
      tx,
      "delivery",
      sql`data @> ${JSON.stringify({ redemptionId })}::jsonb`,
    );
    await recordEvent(tx, {
      ...context,
      actorId: adminId,
      action: "delivery_retry",
      subject: `redemption:${redemptionId}`,
      outcome: "ok",
      data: {
        before: { status: "dead", lastErrorCode: restarted.lastErrorCode },
        after: { status: "pending" },
        provider: restarted.provider,
        attempts: restarted.attempts,
      },
    });
    return restarted;
  });
}
