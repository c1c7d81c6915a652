import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { markNotificationsReadAction } from "@/app/(player)/actions";
import { RefreshOn } from "@/components/live/refresh-on";
import { NOTIFICATIONS_CHANGED_EVENT } from "@/components/notifications/header-bell";
import { MarkReadForm } from "@/components/notifications/mark-read-form";
import { DateTime } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/current-user";
import { notificationPageSchema } from "@/lib/notifications/model";
import { listNotifications } from "@/lib/notifications/notifications";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await currentUser();
  if (!user) redirect("/signin?next=/notifications");
  if (user.role !== "player") redirect("/");
  // A malformed cursor shows the first page; one that is not the player's is refused (not_found).
  const query = notificationPageSchema.safeParse(await searchParams);
  const page = await listNotifications(getDb(), user.id, {
    cursor: query.success ? query.data.cursor : undefined,
  });
  return (
    <>
      <RefreshOn event={NOTIFICATIONS_CHANGED_EVENT} />
      <h1>Notifications</h1>
      <p className="lead">
        Your claims, wins and deliveries as they happen.{" "}
        <span data-testid="unread-count">
          {page.unread === 0 ? "All read." : `${page.unread} unread.`}
        </span>
      </p>
      {page.unread > 0 && <MarkReadForm action={markNotificationsReadAction} />}
      {page.notifications.length === 0 ? (
        <p className="card muted">
          Nothing yet. <Link href="/">See the live drops</Link>.
        </p>
      ) : (
        <ul className="notifications">
          {page.notifications.map((n) => (
            <li
              key={n.id}
              className={`card${n.readAt ? "" : " unread"}`}
              data-testid="notification"
              data-read={n.readAt ? "true" : "false"}
            >
              <div className="notification-head">
                <strong>{n.link ? <Link href={n.link}>{n.title}</Link> : n.title}</strong>
                <span className="muted small">
                  <DateTime value={n.createdAt} />
                </span>
              </div>
              <p>{n.body}</p>
              {!n.readAt && <MarkReadForm action={markNotificationsReadAction} id={n.id} />}
            </li>
          ))}
        </ul>
      )}
      {page.nextCursor && (
        <p>
          <Link href={`/notifications?cursor=${page.nextCursor}`}>Older notifications</Link>
        </p>
      )}
    </>
  );
}
