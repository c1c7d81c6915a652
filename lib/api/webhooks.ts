import { z } from "zod";
import {
  webhookDeliveryStates,
  webhookEndpointChangeSchema,
  webhookEndpointSchema,
  webhookEventTypes,
} from "@/lib/webhooks/model";
import { dateTime, idPath, type Resource, uuid } from "./wire";

const eventType = z.enum(webhookEventTypes);

export const webhookEndpointResponse = z
  .object({
    id: uuid,
    url: z.string(),
    eventTypes: z.array(eventType),
    enabled: z.boolean(),
    createdBy: uuid.nullable(),
    createdAt: dateTime,
    previousSecretUntil: dateTime.nullable().meta({
      description: "after a rotation, until when the previous secret signs too (both are sent)",
    }),
  })
  .meta({ id: "WebhookEndpoint" });

export const webhookEndpointsResponse = z.object({ endpoints: z.array(webhookEndpointResponse) });

export const webhookSecretResponse = z.object({
  endpoint: webhookEndpointResponse,
  secret: z.string().meta({
    description: "whsec_ and the base64 key: shown this once, never again",
    examples: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYo="],
  }),
});

export const webhookDeliveriesResponse = z.object({
  deliveries: z.array(
    z
      .object({
        id: uuid,
        endpointId: uuid,
        eventId: z.string().meta({ description: "the webhook-id header of every attempt" }),
        type: eventType,
        payload: z.unknown().meta({ description: "the body sent: {type, timestamp, data}" }),
        state: z.enum(webhookDeliveryStates),
        createdAt: dateTime,
        attempts: z.array(
          z.object({
            at: dateTime,
            statusCode: z.number().int().nullable(),
            error: z.string().nullable(),
            durationMs: z.number().int(),
            replay: z.boolean(),
          }),
        ),
      })
      .meta({ id: "WebhookDelivery" }),
  ),
});

export const webhookReplayResponse = z.object({ queued: z.literal(true) });

export const webhooks: Resource = {
  name: "Admin: webhooks",
  description:
    "Outbound webhooks for operators, per Standard Webhooks: each POST carries webhook-id, webhook-timestamp and webhook-signature (v1, HMAC-SHA256 of id.timestamp.body under the endpoint's secret), and is retried with backoff for about a day until answered 2xx.",
  paths: {
    "/api/v1/admin/webhooks": {
      get: {
        summary: "Webhook endpoints",
        access: "admin",
        replies: { 200: { description: "OK", json: webhookEndpointsResponse } },
      },
      post: {
        summary: "Add an endpoint (audited); answers its secret, once",
        description:
          "The URL must be http(s) without credentials; loopback and private addresses are refused unless the server allows them (WEBHOOK_ALLOW_PRIVATE).",
        access: "admin",
        body: webhookEndpointSchema,
        replies: {
          201: { description: "The endpoint and its secret", json: webhookSecretResponse },
        },
      },
    },
    "/api/v1/admin/webhooks/{id}": {
      patch: {
        summary: "Enable or disable an endpoint (audited)",
        description: "A disabled endpoint gets no new deliveries; those queued are not sent.",
        access: "admin",
        path: idPath,
        body: webhookEndpointChangeSchema,
        replies: { 200: { description: "The endpoint", json: webhookEndpointResponse } },
        errors: { not_found: "no such endpoint" },
      },
    },
    "/api/v1/admin/webhooks/{id}/secret": {
      post: {
        summary: "Rotate an endpoint's secret (audited); answers the new one, once",
        description: "The previous secret keeps signing beside the new one for 24 hours.",
        access: "admin",
        path: idPath,
        replies: { 201: { description: "The new secret", json: webhookSecretResponse } },
        errors: { not_found: "no such endpoint" },
      },
    },
    "/api/v1/admin/webhooks/{id}/deliveries": {
      get: {
        summary: "An endpoint's 50 most recent deliveries, each with every attempt",
        access: "admin",
        path: idPath,
        replies: { 200: { description: "OK", json: webhookDeliveriesResponse } },
        errors: { not_found: "no such endpoint" },
      },
    },
    "/api/v1/admin/webhook-deliveries/{id}/replay": {
      post: {
        summary: "Send a delivery again, with the same webhook-id (audited)",
        access: "admin",
        path: idPath,
        replies: { 202: { description: "Queued", json: webhookReplayResponse } },
        errors: {
          not_found: "no such delivery",
          bad_request: "the endpoint is disabled (reason endpoint_disabled)",
        },
      },
    },
  },
};
