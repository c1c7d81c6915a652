/** In-app notifications as the browser may see them: kinds, views, the words a player reads. */
import { z } from "zod";
import type { DeliveryProviderName } from "@/lib/delivery/model";
import { formatDateTime } from "@/lib/format";
import type { PrizeRecovery, RedemptionStatus } from "@/lib/redemptions/model";
import { optional } from "@/lib/validation/query-fields";

export const notificationKinds = [
  "redemption_confirmed",
  "delivery_delivered",
  "delivery_dead",
  "delivery_cancelled",
  "redemption_reversed",
  "next_step_address",
  "next_step_wallet",
  "next_step_identity",
  "next_step_reminder",
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/** What a player chooses about: the kinds, grouped the way a player thinks of them. */
export const notificationEvents = [
  "confirmed",
  "next_step",
  "delivered",
  "problem",
  "reversed",
] as const;
export type NotificationEvent = (typeof notificationEvents)[number];

export const notificationEventLabels: Record<NotificationEvent, string> = {
  confirmed: "A claim or a win is confirmed",
  next_step: "A next step is needed from you, and its reminder",
  delivered: "A prize is delivered",
  problem: "A delivery is held up or cancelled",
  reversed: "A redemption is reversed",
};

export const eventOfKind: Record<NotificationKind, NotificationEvent> = {
  redemption_confirmed: "confirmed",
  next_step_address: "next_step",
  next_step_wallet: "next_step",
  next_step_identity: "next_step",
  next_step_reminder: "next_step",
  delivery_delivered: "delivered",
  delivery_dead: "problem",
  delivery_cancelled: "problem",
  redemption_reversed: "reversed",
};

/** Where a notification goes besides the app, which always has it. */
export const notificationChannels = ["email", "push"] as const;
export type NotificationChannel = (typeof notificationChannels)[number];
export type ChannelChoice = Record<NotificationChannel, boolean>;

/** A player's choices: every event's channels; in-app only when every channel is off. */
export type NotificationPreferences = {
  inAppOnly: boolean;
  events: Record<NotificationEvent, ChannelChoice>;
};

const eventList = notificationEvents.join(", ");
const channelChange = z.strictObject(
  { email: z.boolean().optional(), push: z.boolean().optional() },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? "The channels are email and push" : undefined,
  },
);

/**
 * A change of preferences: some events' channels (those not named stay as they are), or
 * `{"inAppOnly": true}`, which turns every channel of every event off. An event or a channel
 * that does not exist is refused, not ignored, so a typo never looks like a saved choice.
 */
export const preferencesChangeSchema = z
  .strictObject(
    {
      inAppOnly: z.literal(true, { error: "inAppOnly can only be true" }).optional(),
      events: z
        .strictObject(
          Object.fromEntries(
            notificationEvents.map((e) => [e, channelChange.optional()]),
          ) as Record<NotificationEvent, z.ZodOptional<typeof channelChange>>,
          {
            error: (issue) =>
              issue.code === "unrecognized_keys"
                ? `Unknown event ${issue.keys.join(", ")}: the events are ${eventList}`
                : undefined,
          },
        )
        .optional(),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? 'Send {"events": {...}} or {"inAppOnly": true}'
          : undefined,
    },
  )
  .refine((change) => (change.inAppOnly === undefined) !== (change.events === undefined), {
    error: 'Send {"events": {...}} or {"inAppOnly": true}, one of the two',
  });
export type PreferencesChange = z.infer<typeof preferencesChangeSchema>;

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
  /** Only mails of this event ("stop mails like this"); all of them when absent. */
  event: optional(z.enum(notificationEvents, { error: "This unsubscribe link is not valid" })),
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

export type DeliveryOutcome = "delivered" | "dead";

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
  };
  return { ...base(facts), kind: `delivery_${outcome}`, ...words[outcome] };
}

/** Why a delivery was cancelled before its prize went out. */
export type CancelCause = "expired" | "rejected";

/**
 * A delivery cancelled because its redemption ended (its deadline passed, or our team declined
 * it), with the coins given back when there were any.
 */
export function describeCancelled(
  facts: { redemptionId: string; playerId: string; prizeName: string },
  cause: CancelCause,
  refundedSc: string | null,
): NewNotification {
  const why: Record<CancelCause, string> = {
    expired: "The deadline for your next step passed, so the prize went back and will not be sent.",
    rejected: "Our team declined this redemption on review, so the prize will not be sent.",
  };
  const refund =
    refundedSc && refundedSc !== "0.00" ? ` ${refundedSc} SC were put back in your wallet.` : "";
  return {
    ...base(facts),
    kind: "delivery_cancelled",
    title: `${facts.prizeName}: delivery cancelled`,
    body: `${why[cause]}${refund}`,
  };
}

/** What a redemption waits for from its player. */
export type NextStep = "address" | "wallet" | "identity";

const nextSteps: Record<NextStep, { todo: string; where: (redemptionId: string) => string }> = {
  address: {
    todo: "Tell us where to send it: add a shipping address on the redemption's page.",
    where: redemptionLink,
  },
  wallet: {
    todo: "It is paid in tokens to your wallet: link one on your account page (you sign a message with it).",
    where: () => "/account",
  },
  identity: {
    todo: "Verify your email and declare your identity so we can release it.",
    where: () => "/account/identity",
  },
};

const byDeadline = (deadline: string | null) =>
  deadline ? ` Do it by ${formatDateTime(deadline)}, or the prize goes back.` : "";

/** A redemption waits for its player: what to do, where, and by when. */
export function describeNextStep(
  facts: { redemptionId: string; playerId: string; prizeName: string },
  step: NextStep,
  deadline: string | null,
): NewNotification {
  return {
    ...base(facts),
    kind: `next_step_${step}`,
    title: `${facts.prizeName}: one step left for you`,
    body: `${nextSteps[step].todo}${byDeadline(deadline)}`,
    link: nextSteps[step].where(facts.redemptionId),
  };
}

/** The reminder a day before a next step's deadline, when the step is still not taken. */
export function describeReminder(
  facts: { redemptionId: string; playerId: string; prizeName: string },
  step: NextStep,
  deadline: string,
): NewNotification {
  return {
    ...describeNextStep(facts, step, deadline),
    kind: "next_step_reminder",
    title: `Reminder: ${facts.prizeName} needs your next step by ${formatDateTime(deadline)}`,
  };
}

/** What a reversal means for what the player holds, by what became of the prize. */
const reversedPrize: Record<PrizeRecovery, string> = {
  returned: "Your prize had not been sent, so it went back, and its code no longer works.",
  cancelling:
    "Its gift card is being cancelled at the provider and will stop working: do not use it.",
  recovered: "Its gift card was cancelled at the provider and no longer works.",
  lost: "Your prize had already been sent, so it was not taken back.",
};

/**
 * An admin took a redemption back: what it means for the prize and its code, and the reason the
 * redemption page shows too.
 */
export function describeReversed(
  facts: { redemptionId: string; playerId: string; prizeName: string },
  reason: string,
  prize: PrizeRecovery,
): NewNotification {
  return {
    ...base(facts),
    kind: "redemption_reversed",
    title: `${facts.prizeName} was taken back`,
    body: `An admin reversed this redemption. ${reversedPrize[prize]} Reason given: ${reason}`,
  };
}
