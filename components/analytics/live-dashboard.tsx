"use client";

import { useEffect, useState } from "react";
import { DateTime } from "@/components/ui/date-time";
import type { DashboardSnapshot } from "@/lib/analytics/model";
import styles from "./analytics.module.css";
import { DashboardView } from "./dashboard-view";

type Connection = "connecting" | "live" | "reconnecting" | "offline";

const LABELS: Record<Connection, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline, retrying",
};

// The browser retries a dropped stream by itself; a refused one (signed out, a deploy answering
// 502) closes for good, so it is opened again after this long.
const REOPEN_MS = 5_000;

/**
 * The dashboard, kept current by the server's event stream. The first render is the server's
 * snapshot, so the page is complete before (or without) JavaScript.
 */
export function LiveDashboard({
  initial,
  adminLinks,
}: {
  initial: DashboardSnapshot;
  adminLinks: boolean;
}) {
  const [snapshot, setSnapshot] = useState(initial);
  const [connection, setConnection] = useState<Connection>("connecting");

  useEffect(() => {
    let source: EventSource | undefined;
    let reopen: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      source = new EventSource("/api/v1/admin/analytics/stream");
      source.addEventListener("open", () => setConnection("live"));
      source.addEventListener("snapshot", (event) => {
        setSnapshot(JSON.parse((event as MessageEvent<string>).data) as DashboardSnapshot);
        setConnection("live");
      });
      source.addEventListener("error", () => {
        if (source?.readyState === EventSource.CLOSED) {
          setConnection("offline");
          source.close();
          reopen = setTimeout(open, REOPEN_MS);
        } else {
          setConnection("reconnecting");
        }
      });
    };
    open();
    return () => {
      clearTimeout(reopen);
      source?.close();
    };
  }, []);

  return (
    <>
      <div className={styles.header}>
        <h1>Live analytics</h1>
        <span className={styles.status} data-state={connection} data-testid="live-status">
          {LABELS[connection]}
        </span>
        <span className={styles.spacer} />
        <span className={styles.updated} data-testid="snapshot-at">
          updated <DateTime value={snapshot.at} style="time" />
        </span>
      </div>
      <DashboardView snapshot={snapshot} adminLinks={adminLinks} />
    </>
  );
}
