/**
 * A delivery in words for its player: the line of steps it goes through and where it stands on
 * it. Safe in the browser (the live delivery component draws it).
 */
import type { DeliveryProviderName, DeliveryStatus } from "@/lib/delivery/model";

export const deliveryProviderLabels: Record<DeliveryProviderName, string> = {
  pool: "Code from our stock",
  giftcard: "Gift-card provider",
  token: "Transfer on chain",
  shipping: "Parcel",
};

export type DeliveryStepState = "done" | "current" | "todo" | "failed";
export type DeliveryStepLine = {
  steps: Array<{
    id: "pending" | "submitted" | "delivered";
    label: string;
    state: DeliveryStepState;
  }>;
  /** One short phrase for a list, e.g. "Delivered" or "Failed, retrying". */
  summary: string;
  /** What happens next, when the player needs telling. */
  note: string | null;
  tone: "ok" | "waiting" | "bad";
};

const LABELS = { pending: "Queued", submitted: "Sent to the provider", delivered: "Delivered" };
const ORDER = ["pending", "submitted", "delivered"] as const;

/**
 * pending → submitted → delivered. A failed attempt stays at the step it failed from (the
 * provider may hold the order already); dead and cancelled end the line where it stood.
 */
export function deliveryStepLine(status: DeliveryStatus, hadSubmission: boolean): DeliveryStepLine {
  const reached = (n: number) =>
    ORDER.map((id, i) => ({
      id,
      label: LABELS[id],
      state: (i < n ? "done" : i === n ? "current" : "todo") as DeliveryStepState,
    }));
  const stuckAt = hadSubmission ? 1 : 0;
  const failedAt = (state: DeliveryStepState) =>
    reached(stuckAt).map((s, i) => (i === stuckAt ? { ...s, state } : s));
  switch (status) {
    case "waiting":
      return {
        steps: reached(-1),
        summary: "Not started",
        note: "Delivery starts once this redemption is ready (an approval or a step of yours).",
        tone: "waiting",
      };
    case "pending":
      return { steps: reached(0), summary: "Queued", note: null, tone: "waiting" };
    case "submitted":
      return { steps: reached(1), summary: "Sent to the provider", note: null, tone: "waiting" };
    case "delivered":
      return { steps: reached(3), summary: "Delivered", note: null, tone: "ok" };
    case "failed":
      return {
        steps: failedAt("failed"),
        summary: "Failed, retrying",
        note: "The last attempt failed; we try again shortly. Nothing is lost.",
        tone: "waiting",
      };
    case "dead":
      return {
        steps: failedAt("failed"),
        summary: "Stopped",
        note: "Delivery stopped after several attempts. An admin will retry it or refund it.",
        tone: "bad",
      };
    case "cancelled":
      return {
        steps: failedAt("todo"),
        summary: "Cancelled",
        // Also a card cancelled at the provider after it was delivered (a reversal).
        note: "Delivery was cancelled: this redemption ended, and any card issued for it no longer works.",
        tone: "bad",
      };
  }
}
