"use client";

import { useEffect, useState } from "react";
import { useServerClock } from "./use-server-clock";

/** "01:02:03" (with "2d " before it past a day) for a time left, never below zero. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const hms = [h, m, s].map((n) => String(n).padStart(2, "0")).join(":");
  return d > 0 ? `${d}d ${hms}` : hms;
}

/** "Starts in" before the drop opens, "ends in" while it runs, judged on the server's clock. */
export function Countdown({
  startsAt,
  endsAt,
  serverTime,
}: {
  startsAt: string;
  endsAt: string;
  serverTime: string;
}) {
  const now = useServerClock(serverTime);
  const [t, setT] = useState(() => Date.parse(serverTime));
  // At once, not a tick later: mounted long after the page (the waiting room's panel changing),
  // the page's time would show for a moment.
  useEffect(() => {
    const tick = () => setT(now());
    tick();
    const timer = setInterval(tick, 250);
    return () => clearInterval(timer);
  }, [now]);
  const start = Date.parse(startsAt);
  const end = Date.parse(endsAt);
  const phase = t < start ? "upcoming" : t < end ? "live" : "ended";
  if (phase === "upcoming") {
    return (
      <span className="countdown" data-testid="countdown">
        Starts in {formatRemaining(start - t)}
      </span>
    );
  }
  if (phase === "live") {
    return (
      <span className="countdown" data-testid="countdown">
        Ends in {formatRemaining(end - t)}
      </span>
    );
  }
  return (
    <span className="countdown" data-testid="countdown">
      Ended
    </span>
  );
}
