import type { RedemptionStatus } from "@/lib/redemptions/model";

const labels: Record<RedemptionStatus, string> = {
  fulfilled: "fulfilled",
  awaiting_action: "awaiting address",
  expired: "expired",
  reversed: "reversed",
  pending_approval: "awaiting approval",
  rejected: "rejected",
  held: "held for identity",
};

/** A redemption's status as a badge; ended states share the drops' muted "ended" look. */
export function RedemptionStatusBadge({ status }: { status: RedemptionStatus }) {
  const look =
    status === "fulfilled"
      ? "live"
      : status === "awaiting_action" || status === "pending_approval" || status === "held"
        ? "upcoming"
        : "ended";
  return (
    <span className={`badge ${look}`} data-testid="redemption-status">
      {labels[status]}
    </span>
  );
}
