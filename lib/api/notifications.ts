import { z } from "zod";
import {
  markReadSchema,
  notificationEvents,
  notificationKinds,
  notificationPageSchema,
  preferencesChangeSchema,
} from "@/lib/notifications/model";
import { dateTime, type Resource, uuid } from "./wire";

const unread = z.number().int().min(0).meta({ description: "how many are not read yet" });

export const notificationResponse = z
  .object({
    id: uuid,
    kind: z.enum(notificationKinds),
    title: z.string(),
    body: z.string(),
    link: z
      .string()
      .nullable()
      .meta({ description: "the app's page to open, e.g. the redemption" }),
    redemptionId: uuid.nullable(),
    createdAt: dateTime,
    readAt: dateTime.nullable(),
  })
  .meta({ id: "Notification" });

export const notificationsResponse = z.object({
  unread,
  notifications: z.array(notificationResponse),
  nextCursor: uuid
    .nullable()
    .meta({ description: "pass as cursor for older ones; null at the end" }),
});

export const markReadResponse = z.object({
  marked: z.number().int().min(0).meta({ description: "how many this call marked read" }),
  unread,
});

const channels = z.object({
  email: z.boolean(),
  push: z.boolean().meta({ description: "Web Push, on the devices that allowed it" }),
});

export const notificationPreferencesResponse = z
  .object({
    inAppOnly: z.boolean().meta({ description: "true when every channel of every event is off" }),
    events: z.object(
      Object.fromEntries(notificationEvents.map((e) => [e, channels])) as Record<
        (typeof notificationEvents)[number],
        typeof channels
      >,
    ),
  })
  .meta({ id: "NotificationPreferences" });

export const notifications: Resource = {
  name: "Notifications",
  description:
    "What the caller was told in the app: a claim or a win confirmed, a prize delivered, a delivery held up or cancelled, a redemption reversed.",
  paths: {
    "/api/v1/notifications": {
      get: {
        summary: "The caller's notifications, newest first, and the unread count",
        access: "player",
        query: notificationPageSchema,
        replies: { 200: { description: "A page of notifications", json: notificationsResponse } },
        errors: { not_found: "cursor is not one of the caller's notifications" },
      },
    },
    "/api/v1/notifications/read": {
      post: {
        summary: "Mark notifications read: some by id, or all",
        description:
          'Body `{"ids": [...]}` (at most 100) or `{"all": true}`. Ids that are not the caller\'s, or read already, are passed over. Open pages of the caller hear of it.',
        access: "player",
        body: markReadSchema,
        replies: { 200: { description: "Marked", json: markReadResponse } },
      },
    },
    "/api/v1/account/notification-preferences": {
      get: {
        summary: "Which events the caller is told of by email and by push",
        description: `Events: ${notificationEvents.join(", ")}. Everything is on until the caller chooses; the app's own notifications are always made.`,
        access: "player",
        replies: {
          200: { description: "The caller's choices", json: notificationPreferencesResponse },
        },
      },
      put: {
        summary: "Change which events the caller is told of by email and by push",
        description:
          'Body `{"events": {"delivered": {"email": false}}}`: events and channels not sent stay as they are. Or `{"inAppOnly": true}`: every channel of every event off. An unknown event or channel is refused. A mail already queued follows the new choice. Audited.',
        access: "player",
        body: preferencesChangeSchema,
        replies: { 200: { description: "The new choices", json: notificationPreferencesResponse } },
      },
    },
    "/api/v1/notifications/stream": {
      get: {
        summary: "The caller's unread count, live (Server-Sent Events)",
        description:
          'A `notifications` event (`{"unread": n}`) at once and whenever the caller\'s notifications change, and heartbeats; the stream ends once the caller may no longer watch, and EventSource reconnects. A player may hold 5 streams at once per web process; a sixth is refused.',
        access: "player",
        replies: { 200: { description: "An event stream", text: "text/event-stream" } },
        errors: { rate_limited: "the player holds 5 open streams already: close one first" },
      },
    },
  },
};
