import "server-only";
import type { Tx } from "@/db/client";
import { notify } from "@/db/notify";
import { recordClaimAnswers } from "@/lib/analytics/claim-counters";
import { recordEvents } from "@/lib/audit/record-event";
import type { Claim } from "./claim-types";

/**
 * What the batch decided, on record: an audit row per attempt, the dashboard counters, and a
 * wake-up for the anchoring sequencer and the dashboards (both delivered at commit).
 */
export async function recordAnswers(tx: Tx, dropId: string, claims: Claim[]): Promise<void> {
  const decided = claims.flatMap((c) => (c.decision ? [{ ...c, decision: c.decision }] : []));
  if (decided.length === 0) return;
  await recordEvents(
    tx,
    decided.map(({ request, decision }) => ({
      actorId: request.playerId,
      action: "claim",
      subject: `drop:${dropId}`,
      outcome: decision.ok ? ("ok" as const) : ("refused" as const),
      reason: decision.ok ? null : decision.reason,
      ip: request.ip,
      userAgent: request.userAgent,
      data: decision.ok ? { redemptionId: decision.redemption.id } : { limit: decision.limit },
      tokenId: request.tokenId,
      requestId: request.requestId,
    })),
  );
  await recordClaimAnswers(
    tx,
    dropId,
    decided.map(({ request, decision }) => ({
      reason: decision.ok ? "claimed" : decision.reason,
      latencyMs: request.receivedAt === undefined ? null : performance.now() - request.receivedAt,
      redemptionId: decision.ok ? decision.redemption.id : null,
    })),
  );
  if (decided.some(({ decision }) => decision.ok)) {
    await notify(tx, "ledger_entries");
  }
  // Open dashboards on every web instance hear of each batch. A statement of its own: a
  // pg_notify in the counters' data-modifying WITH query was never sent.
  await notify(tx, "analytics", dropId);
}
