/**
 * What the live dashboard and the post-drop report show. Every time is an ISO 8601 string from
 * the database clock; every count is exact (rollups are kept in step in the same transaction as
 * the change they count).
 */
import type { AllocationMode } from "@/lib/drops/model";
import type { PrizeKind } from "@/lib/prizes/model";

/** Claim answers grouped as the dashboard shows them; every other refusal reason is `other`. */
export const outcomeCategories = [
  "claimed",
  "sold_out",
  "not_eligible",
  "rate_limited",
  "limit_reached",
  "other",
] as const;
export type OutcomeCategory = (typeof outcomeCategories)[number];
export type OutcomeCounts = Record<OutcomeCategory, number>;

export type LiveDrop = {
  id: string;
  title: string;
  units: number;
  /** Units available now (expired and reversed claims gave theirs back). */
  remaining: number;
  startsAt: string;
  endsAt: string;
  paused: boolean;
  /**
   * Units left after each bucket since the start (units minus claims so far; returns are not
   * replayed into the curve, `remaining` is the exact figure now). At most ~300 points.
   */
  burnDown: Array<{ t: string; remaining: number }>;
  bucketSeconds: number;
};

export type LatencySummary = {
  /** Milliseconds from a claim request's arrival to its answer, over the window; null if none. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  samples: number;
  windowSeconds: number;
};

/** Claim → delivered (the redemption's creation to its delivery's), in milliseconds. */
export type DeliveryTimeSummary = {
  p50: number | null;
  p99: number | null;
  /** Deliveries that arrived in the window. */
  samples: number;
};

export type CheckpointSummary = {
  treeSize: number;
  txHash: string | null;
  blockNumber: number | null;
  anchoredAt: string | null;
};

/** A provisional receipt whose promised anchoring time passed before its entry was anchored. */
export type MissedDeadline = {
  kind: "redemption" | "reversal";
  redemptionId: string;
  leafIndex: number | null;
  /** Unix seconds the receipt promised. */
  anchorBy: number;
  /** Unix seconds of the block that anchored the entry; null while it is still not anchored. */
  anchoredAt: number | null;
};

export type AnchoringStatus = {
  /** Age of the oldest ledger entry not yet covered by an anchored checkpoint; 0 when none. */
  lagSeconds: number;
  /** Ledger entries not yet covered by an anchored checkpoint (sequenced or not). */
  pendingEntries: number;
  lastCheckpoint: CheckpointSummary | null;
  /** Every broken anchoring promise, anchored late or still waiting; the newest entries listed. */
  missedDeadlines: { count: number; entries: MissedDeadline[] };
};

export type DashboardSnapshot = {
  at: string;
  claimsPerSecond: {
    /** The last 60 seconds, oldest first, zeros included; the last (current) one still fills. */
    series: Array<{ t: string; claimed: number; attempts: number }>;
    /** Claims per second averaged over the last 10 whole seconds. */
    current: number;
  };
  liveDrops: LiveDrop[];
  outcomeMix: {
    last5Minutes: OutcomeCounts;
    /** Since midnight UTC. */
    today: OutcomeCounts;
  };
  latency: LatencySummary;
  /** Over the deliveries that arrived in the last 5 minutes, and since midnight UTC. */
  deliveryTime: { last5Minutes: DeliveryTimeSummary; today: DeliveryTimeSummary };
  anchoring: AnchoringStatus;
  /** Redemptions held now (not expired, not reversed), all time. */
  redemptionsByKind: Array<{ kind: PrizeKind; count: number }>;
  /** 24 buckets, index = hour of day (UTC) the redemption was claimed in. */
  byHourOfDay: number[];
  /** Top regions (the player's declared region at claim time; "??" when none), largest first. */
  byRegion: Array<{ region: string; count: number }>;
  /** Top 10 prizes by redemptions held, largest first. */
  topPrizes: Array<{ prizeId: string; name: string; kind: PrizeKind; count: number }>;
};

export type DeliveryStatus = {
  fulfilled: number;
  /** Physical prizes waiting for the player's shipping address. */
  awaiting_action: number;
  expired: number;
  reversed: number;
};

export type FlaggedAccount = {
  id: string;
  email: string;
  displayName: string;
  flaggedAt: string;
  flaggedReason: string | null;
};

export type DropReport = {
  generatedAt: string;
  drop: {
    id: string;
    title: string;
    units: number;
    remaining: number;
    startsAt: string;
    endsAt: string;
    endedEarlyAt: string | null;
    allocation: AllocationMode;
  };
  /**
   * Seconds from the start until the last unit was given; null unless the drop is sold out now
   * (every unit given: a claim that expired or a prize recovered gave its unit back).
   */
  timeToSellOutSeconds: number | null;
  /** Claims per bucket and cumulative, from the first to the last claim attempt. */
  claimCurve: {
    bucketSeconds: number;
    points: Array<{ t: string; claims: number; cumulative: number }>;
  };
  /** Players who were granted at least one unit (whatever became of it). */
  uniquePlayers: number;
  /** Every claim answer of the drop, grouped as on the dashboard. */
  outcomes: OutcomeCounts;
  /** Refusals by their exact reason (e.g. `not_eligible:region`) and in words, largest first. */
  refusalsByReason: Array<{ reason: string; label: string; count: number }>;
  /** Accounts flagged over this drop (linked accounts) or flagged holders of its units. */
  flaggedAccounts: FlaggedAccount[];
  /** Redemptions whose ledger entry is covered by an anchored checkpoint. */
  anchored: number;
  redemptions: number;
  /** anchored / redemptions (1 when there are none): must reach 1. */
  anchoredShare: number;
  deliveryStatus: DeliveryStatus;
};

/** The post-drop report's CSV downloads: one file per section. */
export const dropReportSections = [
  "summary",
  "claim_curve",
  "outcomes",
  "refusals",
  "flagged_accounts",
  "delivery_status",
] as const;
export type DropReportSection = (typeof dropReportSections)[number];

export const dropReportSectionTitles: Record<DropReportSection, string> = {
  summary: "Summary",
  claim_curve: "Claim curve",
  outcomes: "Outcomes",
  refusals: "Refusals by reason",
  flagged_accounts: "Flagged accounts",
  delivery_status: "Delivery status",
};
