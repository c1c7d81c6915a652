"use client";

import { useEffect, useRef, useState } from "react";

/** Milliseconds to the next read: fixed, or chosen from the value last read (a backoff). */
export type PollInterval<T> = number | ((value: T) => number);

/**
 * A value read from a JSON endpoint every `interval`, starting from the server-rendered one.
 * A failed read keeps the last value; the next tick tries again. Hidden tabs skip their ticks,
 * and read at once when shown again.
 */
export function usePolled<T>(
  url: string,
  initial: T,
  pick: (body: unknown) => T | undefined,
  interval: PollInterval<T> = 2000,
): T {
  const [value, setValue] = useState(initial);
  // `pick` and `interval` are usually inline functions: keep the latest without restarting.
  const picker = useRef(pick);
  picker.current = pick;
  const delay = useRef(interval);
  delay.current = interval;
  const latest = useRef(value);
  latest.current = value;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    let stopped = false;
    let reading = false;
    const next = () => {
      const d = delay.current;
      timer = setTimeout(tick, typeof d === "number" ? d : d(latest.current));
    };
    const tick = async () => {
      reading = true;
      // A tab in the background asks nothing: it reads again once shown.
      if (!document.hidden) {
        try {
          const res = await fetch(url, { cache: "no-store" });
          const read = res.ok ? picker.current(await res.json()) : undefined;
          if (read !== undefined) {
            latest.current = read;
            setValue(read);
          }
        } catch {
          // offline for a moment: keep the last figures
        }
      }
      reading = false;
      if (!stopped) next();
    };
    // Shown again after a long delay: read now rather than when the delay runs out.
    const shown = () => {
      if (document.hidden || reading || stopped) return;
      clearTimeout(timer);
      void tick();
    };
    document.addEventListener("visibilitychange", shown);
    next();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", shown);
    };
  }, [url]);
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
  interval?: PollInterval<T>,
): T {
  const polled = usePolled(url, initial, pick, interval);
  const [value, setValue] = useState(initial);
  useEffect(() => setValue(polled), [polled]);
  useEffect(() => {
    if (answered !== undefined) setValue(answered);
  }, [answered]);
  return value;
}
