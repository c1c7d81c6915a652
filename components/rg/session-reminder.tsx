"use client";

import { useEffect, useState } from "react";

const STARTED_KEY = "prizeledger.sessionStartedAt";
const REMINDED_KEY = "prizeledger.sessionReminders";
const MINUTE_MS = 60_000;

/** When this tab's session began: at the first page it showed, kept across its pages. */
function sessionStart(): number {
  const stored = Number(sessionStorage.getItem(STARTED_KEY));
  if (stored > 0) return stored;
  const now = Date.now();
  sessionStorage.setItem(STARTED_KEY, String(now));
  return now;
}

/**
 * Tells a player how long this session has lasted, every `minutes` of it (the player chose the
 * interval on their responsible-gaming page). A reminder that fell due while the tab was between
 * pages shows on the next one, and each is shown once.
 */
export function SessionReminder() {
  const [minutes, setMinutes] = useState<number | null>(null);
  const [elapsed, setElapsed] = useState<number | null>(null);

  useEffect(() => {
    sessionStart();
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
    const startedAt = sessionStart();
    const every = minutes * MINUTE_MS;
    let timer: ReturnType<typeof setTimeout>;
    const check = () => {
      const played = Date.now() - startedAt;
      const due = Math.floor(played / every);
      if (due > Number(sessionStorage.getItem(REMINDED_KEY) ?? 0)) {
        sessionStorage.setItem(REMINDED_KEY, String(due));
        setElapsed(Math.floor(played / MINUTE_MS));
      }
      timer = setTimeout(check, (due + 1) * every - played);
    };
    check();
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
