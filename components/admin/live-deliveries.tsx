"use client";

import { RefreshOn } from "@/components/live/refresh-on";
import { useEventStream } from "@/components/live/use-event-stream";
import type { DeliveriesPulse } from "@/lib/delivery/model";

const DELIVERIES_MOVED_EVENT = "prizeledger:deliveries-moved";

/**
 * Renders the admin page again (no reload) whenever a delivery moves anywhere. `pulse` is what the
 * page was rendered with, so the stream's first event, the same, refreshes nothing.
 */
export function LiveDeliveries({ pulse }: { pulse: DeliveriesPulse }) {
  useEventStream("/api/v1/admin/deliveries/stream", "deliveries", pulse, DELIVERIES_MOVED_EVENT);
  return <RefreshOn event={DELIVERIES_MOVED_EVENT} />;
}
