import { z } from "zod";
import { adminJobStates } from "@/lib/jobs/manage-jobs";
import { queueNames } from "@/lib/jobs/queue";
import { deliveryResponse } from "./deliveries";
import { dateTime, idPath, type Resource, uuid } from "./wire";

const queue = z.enum(queueNames);

export const jobQueuesResponse = z.object({
  queues: z
    .array(
      z.object({
        queue,
        pending: z.number().int(),
        retrying: z.number().int(),
        active: z.number().int(),
        dead: z.number().int(),
      }),
    )
    .meta({ description: "jobs not yet done in each queue, by state" }),
  jobs: z
    .array(
      z.object({
        id: uuid,
        queue,
        state: z.enum(adminJobStates).meta({
          description:
            "pending (waiting for a worker), retrying (failed, another try is due at startAfter), active (running), dead (retries spent: waiting for an admin)",
        }),
        data: z.unknown(),
        retryCount: z.number().int(),
        retryLimit: z.number().int().nullable().meta({ description: "null for a dead job" }),
        createdAt: dateTime,
        startAfter: dateTime,
        lastError: z.string().nullable(),
      }),
    )
    .meta({
      description: "the newest jobs not yet done, dead ones first (at most 50 of each state)",
    }),
});

export const jobChangeResponse = z.object({
  queue,
  jobId: uuid,
  outcome: z.enum(["retried", "cancelled"]),
});

export const adminDeliveryResponse = deliveryResponse.omit({ reward: true }).extend({
  redemptionId: uuid,
  attempts: z.number().int(),
  lastErrorCode: z.string().nullable(),
  lastError: z.string().nullable(),
});

export const troubledDeliveriesResponse = z.object({
  deliveries: z.array(
    adminDeliveryResponse.extend({ prizeName: z.string(), playerEmail: z.string() }),
  ),
});

const jobPath = z.object({
  queue: queue.meta({ description: "the queue; a dead job is named by its queue too" }),
  id: uuid,
});

export const adminJobs: Resource = {
  name: "Admin: jobs and deliveries",
  description:
    "The delivery, mail and webhook queues: jobs waiting, retrying and dead, and deliveries that failed; retry and cancel.",
  paths: {
    "/api/v1/admin/jobs": {
      get: {
        summary: "Counts by state per queue, and the jobs not yet done",
        access: "admin",
        replies: { 200: { description: "OK", json: jobQueuesResponse } },
      },
    },
    "/api/v1/admin/jobs/{queue}/{id}/retry": {
      post: {
        summary: "Retry a dead job (audited)",
        description:
          "The job goes back to its queue for one more try, due now. A dead delivery job starts its delivery over (pending).",
        access: "admin",
        path: jobPath,
        replies: { 200: { description: "Retried", json: jobChangeResponse } },
        errors: {
          not_found: "no such job in that queue",
          not_retryable: "the job is not dead (pending, retrying, running or done)",
        },
      },
    },
    "/api/v1/admin/jobs/{queue}/{id}/cancel": {
      post: {
        summary: "Cancel a pending or retrying job, or dismiss a dead one (audited)",
        description:
          "A cancelled delivery job leaves its delivery dead, for an admin to retry or reverse.",
        access: "admin",
        path: jobPath,
        replies: { 200: { description: "Cancelled", json: jobChangeResponse } },
        errors: {
          not_found: "no such job in that queue",
          not_cancellable: "the job is running or over",
        },
      },
    },
    "/api/v1/admin/deliveries": {
      get: {
        summary: "Dead deliveries (waiting for an admin) and failed ones (retrying)",
        access: "admin",
        replies: { 200: { description: "OK", json: troubledDeliveriesResponse } },
      },
    },
    "/api/v1/admin/deliveries/stream": {
      get: {
        summary: "Delivery changes, live (Server-Sent Events)",
        description:
          "A `deliveries` event, `{lastChange, failed, dead}` (the newest change to any delivery, and how many are failed and dead), at once and whenever a delivery moves on any instance or worker (bursts coalesced to one event per 250 ms), and heartbeats. Admin pages render themselves again on each. The stream ends at a heartbeat once the caller is no longer an admin.",
        access: "admin",
        replies: { 200: { description: "An endless event stream", text: "text/event-stream" } },
      },
    },
    "/api/v1/admin/deliveries/{id}/retry": {
      post: {
        summary: "Retry a dead delivery (audited on its redemption)",
        description:
          "The delivery is pending again and a new delivery job is queued, together. `id` is the redemption's. The provider takes the redemption id as its idempotency key, so a retry never orders twice.",
        access: "admin",
        path: idPath,
        replies: { 200: { description: "Pending again", json: adminDeliveryResponse } },
        errors: {
          not_found: "no such delivery",
          not_retryable: "the delivery is not dead",
        },
      },
    },
  },
};
