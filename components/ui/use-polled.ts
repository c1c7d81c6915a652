"use client";

import { useEffect, useRef, useState } from "react";

/**
 * A value read from a JSON endpoint every `intervalMs`, starting from the server-rendered one.
 * A failed read keeps the last value; the next tick tries again. Hidden tabs skip their ticks.
 */
export function usePolled<T>(
  url: string,
  initial: T,
  pick: (body: unknown) => T | undefined,
  intervalMs = 2000,
): T {
  const [value, setValue] = useState(initial);
  // `pick` is usually an inline function: keep the latest without restarting the timer.
  const picker = useRef(pick);
  picker.current = pick;
  useEffect(() => {
    const timer = setInterval(async () => {
      // A tab in the background asks nothing: it reads again once shown.
      if (document.hidden) return;
      try {
        const res = await fetch(url, { cache: "no-store" });
        if (!res.ok) return;
        const next = picker.current(await res.json());
        if (next !== undefined) setValue(next);
      } catch {
        // offline for a moment: keep the last figures
      }
    }, intervalMs);
    return () => clearInterval(timer);
  }, [url, intervalMs]);
  return value;
}

/**
 * usePolled, with `answered` (what an action just answered, say) shown as soon as it arrives:
 * whichever of the two came last is shown, so a form's result does not wait for the next read.
 */
export function usePolledAndAnswered<T>(
  url: string,
  initial: T,
  pick: (body: unknown) => T | undefined,
  answered: T | undefined,
): T {
  const polled = usePolled(url, initial, pick);
  const [value, setValue] = useState(initial);
  useEffect(() => setValue(polled), [polled]);
  useEffect(() => {
    if (answered !== undefined) setValue(answered);
  }, [answered]);
  return value;
}
