/** In-app notifications as the browser may see them: kinds, views, the words a player reads. */
import { z } from "zod";
import type { DeliveryProviderName } from "@/lib/delivery/model";
import { formatDateTime } from "@/lib/format";
import type { RedemptionStatus } from "@/lib/redemptions/model";
import { optional } from "@/lib/validation/query-fields";

export const notificationKinds = [
  "redemption_confirmed",
  "delivery_delivered",
  "delivery_dead",
  "delivery_cancelled",
  "redemption_reversed",
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/** What notifyPlayers writes: one row, told to one player. */
export type NewNotification = {
  playerId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  link: string | null;
  redemptionId: string | null;
};

export type NotificationView = {
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  link: string | null;
  redemptionId: string | null;
  createdAt: string;
  readAt: string | null;
};

export type NotificationPage = {
  unread: number;
  notifications: NotificationView[];
  /** Pass as `cursor` for the next (older) page; null on the last. */
  nextCursor: string | null;
};

/** What the bell shows, and what its live stream sends. */
export type UnreadCount = { unread: number };

export const NOTIFICATION_PAGE_SIZE = 50;

/** A page of the list: `cursor` is the id of the last notification of the previous page. */
export const notificationPageSchema = z.object({
  cursor: optional(z.uuid({ error: "cursor is a notification id" })),
  limit: optional(z.coerce.number().int().min(1).max(100)),
});

/** Which of the caller's notifications to mark read: some by id, or every unread one. */
export const markReadSchema = z.union([
  z.object({
    ids: z
      .array(z.uuid({ error: "ids are notification ids" }))
      .min(1)
      .max(100, { error: "At most 100 ids at once" }),
  }),
  z.object({ all: z.literal(true) }),
]);
export type MarkRead = z.infer<typeof markReadSchema>;

/** The token of a notification email's unsubscribe link (24 random bytes, base64url). */
export const unsubscribeSchema = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{32}$/, { error: "This unsubscribe link is not valid" }),
});

/** The facts a redemption's notification is worded from. */
export type RedemptionFacts = {
  redemptionId: string;
  playerId: string;
  prizeName: string;
  /** Where it came from: a drop (claimed, or won at a lottery's draw), a round, the catalog. */
  origin: "claim" | "draw" | "round" | "catalog";
  status: RedemptionStatus;
  actionDeadline: string | null;
};

export const redemptionLink = (redemptionId: string) => `/redemptions/${redemptionId}`;

function base(facts: { redemptionId: string; playerId: string }) {
  return {
    playerId: facts.playerId,
    redemptionId: facts.redemptionId,
    link: redemptionLink(facts.redemptionId),
  };
}

const confirmedTitle: Record<RedemptionFacts["origin"], (prize: string) => string> = {
  claim: (prize) => `You claimed ${prize}`,
  draw: (prize) => `You won ${prize} in the draw`,
  round: (prize) => `You won ${prize}`,
  catalog: (prize) => `You redeemed ${prize}`,
};

/** A new redemption: what the player got, and what (if anything) they must do next. */
export function describeConfirmed(facts: RedemptionFacts): NewNotification {
  const next: Partial<Record<RedemptionStatus, string>> = {
    awaiting_action: facts.actionDeadline
      ? `Add a shipping address by ${formatDateTime(facts.actionDeadline)} so we can send it.`
      : "Add a shipping address so we can send it.",
    pending_approval: "Our team reviews it before it is sent; nothing to do meanwhile.",
    held: "Verify your email and declare your identity to receive it.",
  };
  return {
    ...base(facts),
    kind: "redemption_confirmed",
    title: confirmedTitle[facts.origin](facts.prizeName),
    body: next[facts.status] ?? "It is confirmed, and we are delivering it now.",
  };
}

export type DeliveryOutcome = "delivered" | "dead" | "cancelled";

/** A delivery that reached its end (or needs our team), in words that say what it means. */
export function describeDelivery(
  facts: { redemptionId: string; playerId: string; prizeName: string },
  outcome: DeliveryOutcome,
  provider: DeliveryProviderName,
): NewNotification {
  const delivered: Record<DeliveryProviderName, string> = {
    pool: "Your code is ready: open the redemption to see it.",
    giftcard: "Your gift card is ready: open the redemption to see its code.",
    token: "The tokens were paid to your wallet: the redemption shows the transaction.",
    shipping: "Your parcel was delivered.",
  };
  const words: Record<DeliveryOutcome, { title: string; body: string }> = {
    delivered: { title: `${facts.prizeName} delivered`, body: delivered[provider] },
    dead: {
      title: `${facts.prizeName}: delivery held up`,
      body: "We could not deliver it yet. Our team has been told and will sort it out; you need do nothing.",
    },
    cancelled: {
      title: `${facts.prizeName}: delivery cancelled`,
      body: "The redemption ended before its prize was sent, so nothing will be delivered.",
    },
  };
  return { ...base(facts), kind: `delivery_${outcome}`, ...words[outcome] };
}

/** An admin took a redemption back; the reason is the one the redemption page shows too. */
export function describeReversed(
  facts: { redemptionId: string; playerId: string; prizeName: string },
  reason: string,
): NewNotification {
  return {
    ...base(facts),
    kind: "redemption_reversed",
    title: `${facts.prizeName} was taken back`,
    body: `An admin reversed this redemption. Reason given: ${reason}`,
  };
}
