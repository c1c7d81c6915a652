"use client";

import { useEffect, useState } from "react";

const STARTED_KEY = "prizeledger.sessionStartedAt";
const MINUTE_MS = 60_000;

/**
 * Tells a player how long this session has lasted, every `minutes` of it (the player chose the
 * interval on their responsible-gaming page). The session is this browser tab's: it starts at the
 * first page the tab shows, so moving between pages does not reset it.
 */
export function SessionReminder() {
  const [minutes, setMinutes] = useState<number | null>(null);
  const [elapsed, setElapsed] = useState<number | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    fetch("/api/v1/account/limits", { signal: controller.signal })
      .then((r) => (r.ok ? r.json() : null))
      .then((body: { sessionReminderMinutes?: number | null } | null) =>
        setMinutes(body?.sessionReminderMinutes ?? null),
      )
      .catch(() => setMinutes(null));
    return () => controller.abort();
  }, []);

  useEffect(() => {
    if (!minutes) return;
    const stored = Number(sessionStorage.getItem(STARTED_KEY));
    const startedAt = stored > 0 ? stored : Date.now();
    sessionStorage.setItem(STARTED_KEY, String(startedAt));
    const every = minutes * MINUTE_MS;
    let timer: ReturnType<typeof setTimeout>;
    const schedule = () => {
      const played = Date.now() - startedAt;
      const next = (Math.floor(played / every) + 1) * every;
      timer = setTimeout(() => {
        setElapsed(Math.round((Date.now() - startedAt) / MINUTE_MS));
        schedule();
      }, next - played);
    };
    schedule();
    return () => clearTimeout(timer);
  }, [minutes]);

  if (elapsed === null) return null;
  return (
    <div className="alert info session-reminder" role="alertdialog" aria-label="Session reminder">
      <p style={{ margin: "0 0 8px" }}>
        You have been playing for {elapsed} minutes. Take a break if you need one; you can set
        limits or a cool-off on your <a href="/account/responsible-gaming">responsible gaming</a>{" "}
        page.
      </p>
      <button type="button" className="secondary" onClick={() => setElapsed(null)}>
        Continue
      </button>
    </div>
  );
}
