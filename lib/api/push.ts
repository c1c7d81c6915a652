import { z } from "zod";
import { pushEndpointSchema, pushSubscriptionSchema } from "@/lib/push/model";
import type { Resource } from "./wire";

export const pushStateResponse = z
  .object({
    publicKey: z.string().nullable().meta({
      description:
        "the VAPID public key (base64url) to pass as applicationServerKey; null: push is off on this server",
    }),
    subscriptions: z.number().int().meta({ description: "browsers the caller gets pushes in" }),
  })
  .meta({ id: "PushState" });

const endpointRules =
  "https, not on a private or loopback address (unless the server sets PUSH_ALLOW_INSECURE, for tests)";

export const push: Resource = {
  name: "Web Push",
  description:
    "Notifications pushed to the caller's browsers (RFC 8030, payload encrypted per RFC 8291, VAPID per RFC 8292): the same events as the in-app notifications, sent from the job queue. A push carries JSON {title, body, link}.",
  paths: {
    "/api/v1/account/push": {
      get: {
        summary: "The key to subscribe with, and how many browsers the caller gets pushes in",
        access: "player",
        replies: { 200: { description: "OK", json: pushStateResponse } },
      },
    },
    "/api/v1/account/push-subscriptions": {
      post: {
        summary: "Push to this browser: send its PushSubscription (toJSON())",
        description: `The endpoint: ${endpointRules}. keys.p256dh is 65 bytes and keys.auth 16, base64url. Sending a subscription again updates it; one another account sent moves to the caller. At most 10 per player: the one unused longest goes.`,
        access: "player",
        body: pushSubscriptionSchema,
        replies: { 201: { description: "Subscribed", json: pushStateResponse } },
        errors: {
          invalid_input: "error.field: endpoint or keys",
          unavailable: "push is off on this server (no VAPID keys)",
        },
      },
      delete: {
        summary: "Stop pushing to this browser",
        access: "player",
        body: pushEndpointSchema,
        replies: { 200: { description: "Unsubscribed", json: pushStateResponse } },
        errors: { not_found: "the caller has no subscription with this endpoint" },
      },
    },
  },
};
