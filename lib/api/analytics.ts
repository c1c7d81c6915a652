import { z } from "zod";
import { receiptKinds } from "@/lib/redemptions/model";
import { outcomeCountsResponse } from "./admin-drops";
import { dateTime, prizeKind, type Resource, uuid } from "./wire";

const count = z.number().int();

const deliveryTimeResponse = z.object({
  p50: count.nullable(),
  p99: count.nullable(),
  samples: count.meta({ description: "deliveries that arrived in the window" }),
});

export const dashboardResponse = z
  .object({
    at: dateTime,
    claimsPerSecond: z.object({
      series: z
        .array(z.object({ t: dateTime, claimed: count, attempts: count }))
        .meta({ description: "the last 60 seconds, oldest first" }),
      current: z.number().meta({ description: "averaged over the last 10 whole seconds" }),
    }),
    liveDrops: z
      .array(
        z.object({
          id: uuid,
          title: z.string(),
          units: count,
          remaining: count.meta({ description: "units available now" }),
          startsAt: dateTime,
          endsAt: dateTime,
          paused: z.boolean(),
          burnDown: z
            .array(z.object({ t: dateTime, remaining: count }))
            .meta({ description: "units left after each bucket since the start" }),
          bucketSeconds: count,
        }),
      )
      .meta({ description: "drops live now, each with units left and its burn-down" }),
    outcomeMix: z.object({
      last5Minutes: outcomeCountsResponse,
      /** Since midnight UTC. */
      today: outcomeCountsResponse,
    }),
    latency: z
      .object({
        p50: z.number().nullable(),
        p95: z.number().nullable(),
        p99: z.number().nullable(),
        samples: count,
        windowSeconds: count,
      })
      .meta({ description: "claim latency in milliseconds (null when there were no claims)" }),
    deliveryTime: z
      .object({
        last5Minutes: deliveryTimeResponse,
        /** Since midnight UTC. */
        today: deliveryTimeResponse,
      })
      .meta({
        description:
          "claim → delivered in milliseconds (a redemption's creation to its delivery's), over the deliveries that arrived in each window",
      }),
    anchoring: z.object({
      lagSeconds: z.number(),
      pendingEntries: count,
      lastCheckpoint: z
        .object({
          treeSize: count,
          txHash: z.string().nullable(),
          blockNumber: count.nullable(),
          anchoredAt: dateTime.nullable(),
        })
        .nullable(),
      missedDeadlines: z.object({
        count,
        entries: z.array(
          z.object({
            kind: z.enum(receiptKinds),
            redemptionId: uuid,
            leafIndex: count.nullable(),
            anchorBy: count.meta({ description: "Unix seconds the receipt promised" }),
            anchoredAt: count.nullable().meta({ description: "Unix seconds; null while waiting" }),
          }),
        ),
      }),
    }),
    redemptionsByKind: z.array(z.object({ kind: prizeKind, count })),
    byHourOfDay: z
      .array(count)
      .length(24)
      .meta({ description: "redemptions by the UTC hour they were claimed in" }),
    byRegion: z.array(z.object({ region: z.string(), count })),
    topPrizes: z.array(z.object({ prizeId: uuid, name: z.string(), kind: prizeKind, count })),
  })
  .meta({
    id: "DashboardSnapshot",
    description:
      "The live dashboard's figures at `at`. Counts come from rollups kept in the claim's own transaction, so they are exact.",
  });

export const analytics: Resource = {
  name: "Admin: analytics",
  description: "The live dashboard, as a snapshot or a stream.",
  paths: {
    "/api/v1/admin/analytics": {
      get: {
        summary: "The live dashboard's figures now",
        access: "staff",
        replies: { 200: { description: "OK", json: dashboardResponse } },
      },
    },
    "/api/v1/admin/analytics/stream": {
      get: {
        summary: "The live dashboard as Server-Sent Events",
        description:
          "A `snapshot` event (data: a DashboardSnapshot) at once and within a second of every claim, expiry, reversal or anchored checkpoint on any web instance (bursts coalesced to at most one snapshot per 250 ms), and at least every 5 s. Comment heartbeats every 15 s keep proxies from closing the stream; `retry:` tells EventSource how soon to reconnect. The stream ends at a heartbeat once the caller may no longer watch.",
        access: "staff",
        replies: { 200: { description: "An endless event stream", text: "text/event-stream" } },
      },
    },
  },
};
