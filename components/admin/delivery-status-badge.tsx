import type { DeliveryStatus } from "@/lib/delivery/model";

const looks: Record<DeliveryStatus, string> = {
  waiting: "pending",
  pending: "pending",
  submitted: "upcoming",
  delivered: "live",
  failed: "upcoming",
  dead: "ended",
  cancelled: "ended",
};

/** A delivery's status as a badge: delivered looks done, dead and cancelled look ended. */
export function DeliveryStatusBadge({ status }: { status: DeliveryStatus }) {
  return (
    <span className={`badge ${looks[status]}`} data-testid="delivery-status">
      {status}
    </span>
  );
}
