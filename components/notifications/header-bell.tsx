"use client";

import Link from "next/link";
import { useEventStream } from "@/components/live/use-event-stream";
import type { UnreadCount } from "@/lib/notifications/model";

/** Announced on `window` when the player's notifications change, for the notifications page. */
export const NOTIFICATIONS_CHANGED_EVENT = "prizeledger:notifications-changed";

/** The bell in the site header: the unread count, kept live by the notifications stream. */
export function HeaderBell({ initial }: { initial: UnreadCount }) {
  const { unread } = useEventStream(
    "/api/v1/notifications/stream",
    "notifications",
    initial,
    NOTIFICATIONS_CHANGED_EVENT,
  );
  const label = unread === 0 ? "Notifications" : `Notifications, ${unread} unread`;
  return (
    <Link
      href="/notifications"
      className="bell"
      aria-label={label}
      title={label}
      data-testid="bell"
    >
      <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
        <path
          fill="currentColor"
          d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
        />
      </svg>
      {unread > 0 && (
        <span className="count" data-testid="bell-count">
          {unread > 99 ? "99+" : unread}
        </span>
      )}
    </Link>
  );
}
