/**
 * A delivery in words for its player: the line of steps it goes through and where it stands on
 * it. Safe in the browser (the live delivery component draws it).
 */
import type { DeliveryProviderName, DeliveryStatus, DeliveryView } from "@/lib/delivery/model";

export const deliveryProviderLabels: Record<DeliveryProviderName, string> = {
  pool: "Code from our stock",
  giftcard: "Gift-card provider",
  token: "Transfer on chain",
  shipping: "Parcel",
};

export type DeliveryStepState = "done" | "current" | "todo" | "failed";
export type DeliveryStepLine = {
  steps: Array<{
    id: "pending" | "submitted" | "packed" | "shipped" | "delivered";
    label: string;
    state: DeliveryStepState;
    /** What the step left behind for the player, e.g. the carrier and tracking number. */
    detail?: string;
  }>;
  /** One short phrase for a list, e.g. "Delivered" or "Failed, retrying". */
  summary: string;
  /** What happens next, when the player needs telling. */
  note: string | null;
  tone: "ok" | "waiting" | "bad";
};

const LABELS = { pending: "Queued", submitted: "Sent to the provider", delivered: "Delivered" };
/** A token prize has no provider: its transfer goes on chain, and delivered means paid. */
const TOKEN_LABELS = { pending: "Queued", submitted: "Sent on chain", delivered: "Paid" };
const ORDER = ["pending", "submitted", "delivered"] as const;

/**
 * pending → submitted → delivered. A failed attempt stays at the step it failed from (the
 * provider may hold the order already); dead and cancelled end the line where it stood.
 */
export function deliveryStepLine(
  status: DeliveryStatus,
  hadSubmission: boolean,
  labels: Record<(typeof ORDER)[number], string> = LABELS,
): DeliveryStepLine {
  const reached = (n: number) =>
    ORDER.map((id, i) => ({
      id,
      label: labels[id],
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
      return { steps: reached(1), summary: labels.submitted, note: null, tone: "waiting" };
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

/**
 * A parcel's line: packed → shipped → delivered, as an admin records each step (the delivery is
 * `pending` until packed, `submitted` while packed or shipped). The tracking number is the
 * delivery's reference, so it stays on the shipped step once the parcel is delivered.
 */
export function shipmentStepLine(
  delivery: Pick<DeliveryView, "status" | "reference" | "shipment">,
): DeliveryStepLine {
  const { status, reference, shipment } = delivery;
  const shippedDetail = reference
    ? [shipment?.carrier, `tracking ${reference}`].filter(Boolean).join(" · ")
    : undefined;
  const reached = (n: number, last: DeliveryStepState = "current") =>
    (["packed", "shipped", "delivered"] as const).map((id, i) => ({
      id,
      label: { packed: "Packed", shipped: "Shipped", delivered: "Delivered" }[id],
      state: (i < n ? "done" : i === n ? last : "todo") as DeliveryStepState,
      ...(id === "shipped" && i < n && shippedDetail ? { detail: shippedDetail } : {}),
    }));
  const at = shipment?.step === "shipped" ? 2 : shipment?.step === "packed" ? 1 : 0;
  switch (status) {
    case "waiting":
      return { ...deliveryStepLine(status, false), steps: reached(-1) };
    case "pending":
      return { steps: reached(0), summary: "Being packed", note: null, tone: "waiting" };
    case "submitted":
      return {
        steps: reached(at),
        summary: at === 2 ? "Shipped" : "Packed",
        note: null,
        tone: "waiting",
      };
    case "delivered":
      return { steps: reached(3), summary: "Delivered", note: null, tone: "ok" };
    case "failed":
    case "dead":
      return { ...deliveryStepLine(status, false), steps: reached(at, "failed") };
    case "cancelled":
      return { ...deliveryStepLine(status, false), steps: reached(at, "todo") };
  }
}

/** The line a delivery is drawn as: a parcel's own steps, or a provider's. */
export function describeDelivery(
  delivery: Pick<DeliveryView, "status" | "provider" | "reference" | "shipment">,
): DeliveryStepLine {
  if (delivery.provider === "shipping") return shipmentStepLine(delivery);
  return deliveryStepLine(
    delivery.status,
    delivery.reference !== null,
    delivery.provider === "token" ? TOKEN_LABELS : LABELS,
  );
}
