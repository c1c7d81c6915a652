import type { MissedDeadline } from "@/lib/analytics/model";
import { formatDuration } from "./format";

export type MissedDeadlineRow = {
  key: string;
  /** "#1,204 redemption"; an entry the sequencer has not reached yet has no index. */
  entry: string;
  /** Only admins may open a redemption's page. */
  href: string | null;
  /** ISO instants, shown in the viewer's zone. */
  promisedBy: string;
  /** When the anchoring block came; null while the entry still waits. */
  anchoredAt: string | null;
  /** How far past its promise the entry was anchored, or is now while it waits. */
  lateBy: string;
};

const KIND_WORDS: Record<MissedDeadline["kind"], string> = {
  redemption: "redemption",
  reversal: "reversal",
};

/**
 * The late entries as the dashboard lists them. `now` is the snapshot's time, so a waiting
 * entry's lateness is the one the figures beside it were counted at.
 */
export function missedDeadlineRows(
  entries: MissedDeadline[],
  now: string,
  linkRedemptions: boolean,
): MissedDeadlineRow[] {
  const nowSeconds = Date.parse(now) / 1000;
  return entries.map((e) => ({
    // A redemption and its reversal share the redemption id.
    key: `${e.kind}-${e.redemptionId}`,
    entry: `${e.leafIndex === null ? "unsequenced" : `#${e.leafIndex.toLocaleString("en")}`} ${KIND_WORDS[e.kind]}`,
    href: linkRedemptions ? `/admin/redemptions/${e.redemptionId}` : null,
    promisedBy: new Date(e.anchorBy * 1000).toISOString(),
    anchoredAt: e.anchoredAt === null ? null : new Date(e.anchoredAt * 1000).toISOString(),
    lateBy: formatDuration((e.anchoredAt ?? nowSeconds) - e.anchorBy),
  }));
}

/** The tile's note: calm when every promise held, otherwise how many still wait. */
export function missedDeadlineNote(count: number, entries: MissedDeadline[]): string {
  if (count === 0) return "every receipt anchored on time";
  // Waiting entries are listed first: when they fill the list, more may wait beyond it.
  const waiting = entries.filter((e) => e.anchoredAt === null).length;
  if (waiting === 0) return "all anchored since, late";
  const more = waiting === entries.length && entries.length < count;
  return `${more ? "at least " : ""}${waiting.toLocaleString("en")} still waiting`;
}
