import "server-only";
import { inArray } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { drops } from "@/db/schema";
import { eligibilityRules, type RefusalReason, refusalMessage } from "@/lib/claims/model";
import { ATTEMPT_ACTIONS, type ClaimAttempt } from "./model";
import { searchAuditEvents } from "./search-events";

/** The refusal in the words the claim engine used, also for codes added after this was written. */
export function reasonInWords(reason: string | null, limit?: number): string | null {
  if (!reason) return null;
  if (reason.startsWith("not_eligible:")) {
    const rule = reason.slice("not_eligible:".length);
    if (!(eligibilityRules as readonly string[]).includes(rule))
      return "You are not eligible for this drop";
  }
  if (reason === "not_lottery") return "This drop is first come, first served: claim it instead";
  return refusalMessage(reason as RefusalReason, limit) ?? `Refused (${reason})`;
}

const dropIdOf = (subject: string | null) => {
  const id = subject?.startsWith("drop:") ? subject.slice(5) : undefined;
  return id && z.uuid().safeParse(id).success ? id : undefined;
};

/**
 * A player's own claim and lottery-entry attempts, newest first, with the drop's title and the
 * refusal in words: "why did my claim fail?". Only `playerId`'s events are ever read.
 */
export async function listClaimAttempts(
  db: DbOrTx,
  playerId: string,
  page: { cursor?: number; limit?: number } = {},
): Promise<{ attempts: ClaimAttempt[]; nextCursor: number | null }> {
  const { events, nextCursor } = await searchAuditEvents(
    db,
    { actor: playerId, actions: Object.keys(ATTEMPT_ACTIONS) },
    { cursor: page.cursor, limit: page.limit ?? 25 },
  );
  const dropIds = [
    ...new Set(events.map((e) => dropIdOf(e.subject)).filter((id) => id !== undefined)),
  ];
  const titles = new Map(
    dropIds.length === 0
      ? []
      : (
          await db
            .select({ id: drops.id, title: drops.title })
            .from(drops)
            .where(inArray(drops.id, dropIds))
        ).map((d) => [d.id, d.title]),
  );
  const attempts = events.map((e): ClaimAttempt => {
    const dropId = dropIdOf(e.subject);
    const title = dropId ? titles.get(dropId) : undefined;
    const limit = typeof e.data?.limit === "number" ? e.data.limit : undefined;
    const redemptionId = e.data?.redemptionId;
    return {
      id: e.id,
      at: e.at,
      kind: ATTEMPT_ACTIONS[e.action as keyof typeof ATTEMPT_ACTIONS],
      drop: dropId && title !== undefined ? { id: dropId, title } : null,
      outcome: e.outcome,
      reason: e.reason,
      message: e.outcome === "ok" ? null : reasonInWords(e.reason, limit),
      redemptionId: typeof redemptionId === "string" ? redemptionId : null,
    };
  });
  return { attempts, nextCursor };
}
