import "server-only";
import type { Tx } from "@/db/client";
import { emitDropSoldOutIfLast } from "@/lib/webhooks/emit-events";
import {
  allocateUnits,
  claimGate,
  linkDevices,
  loadDrop,
  lockDropClaims,
  refuseOverRateLimit,
  refuseWithoutAdmission,
} from "./claim-allocation";
import { reserveKeys, storeAnswers } from "./claim-idempotency";
import { issueRedemptions } from "./claim-issue";
import { recordAnswers } from "./claim-record";
import type { Claim, ClaimOutcome, ClaimRequest } from "./claim-types";
import type { RefusalReason } from "./model";

/** A first-come claim, or a lottery's winners granted at the draw (after the window closed). */
export type BatchMode = { mode: "claim" } | { mode: "lottery_draw"; actionDeadline: Date };

/** The whole batch in one transaction; returns one outcome per request, in order. */
export async function claimBatch(
  tx: Tx,
  dropId: string,
  requests: ClaimRequest[],
  batchMode: BatchMode = { mode: "claim" },
): Promise<ClaimOutcome[]> {
  const claims: Claim[] = requests.map((request) => ({ request, keyReserved: false }));

  // 1. Idempotency: replay answers already given; the first of repeats in this batch decides.
  await reserveKeys(tx, claims);
  const live = claims.filter((c) => !c.outcome && !c.sameAs);
  // Replays alone touch nothing of the drop: no need to wait for its lock.
  if (live.length === 0) return claims.map(outcomeOf);
  if (batchMode.mode === "claim") await refuseOverRateLimit(tx, live);
  await lockDropClaims(tx, dropId);
  const admitted = live.filter((c) => !c.decision);
  if (batchMode.mode === "claim") await linkDevices(tx, admitted);

  // 2. The drop, judged by the database clock; then units, codes and redemptions.
  const drop = await loadDrop(tx, dropId);
  const gate: RefusalReason | undefined = !drop
    ? "not_found"
    : batchMode.mode === "claim"
      ? claimGate(drop)
      : drop.allocation === "lottery" && drop.ended
        ? undefined
        : "not_found";
  if (!drop || gate) {
    for (const c of admitted) {
      c.decision = { ok: false, reason: gate ?? "not_found", limit: drop?.perPlayerLimit ?? 1 };
    }
  } else {
    const actionDeadline =
      batchMode.mode === "lottery_draw" ? batchMode.actionDeadline : drop.endsAt;
    // A lottery's winners were drawn from its entries: the waiting room is for claims.
    const entering = batchMode.mode === "claim" ? refuseWithoutAdmission(drop, admitted) : admitted;
    const grants = await allocateUnits(tx, drop, entering);
    if (grants.length > 0) {
      await issueRedemptions(tx, drop, actionDeadline, grants);
      await emitDropSoldOutIfLast(tx, drop.id);
    }
  }

  // 3. Record: the answers under their keys, the audit trail and counters, then notify.
  await storeAnswers(tx, live);
  await recordAnswers(tx, dropId, live);
  return claims.map(outcomeOf);
}

function outcomeOf(claim: Claim): ClaimOutcome {
  if (claim.outcome) return claim.outcome;
  if (claim.sameAs) return { ...outcomeOf(claim.sameAs), replayed: true };
  const { decision, code } = claim;
  if (!decision) throw new Error("a claim of the batch was left without an answer");
  if (!decision.ok) return { ...decision, replayed: false };
  if (!code) throw new Error(`redemption ${decision.redemption.id} was issued without a code`);
  return {
    ok: true,
    redemption: decision.redemption,
    code: code.plain,
    replayed: false,
  };
}
