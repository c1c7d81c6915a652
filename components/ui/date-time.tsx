"use client";

import { createContext, type ReactNode, useContext, useEffect, useSyncExternalStore } from "react";
import { formatInstant, formatMoney, type InstantStyle } from "@/lib/format";
import { DEFAULT_VIEWER, knownTimeZone, TZ_COOKIE, type Viewer } from "@/lib/locale";

/** The viewer as the server saw the request: its negotiated locale and its cookie's zone. */
const ViewerContext = createContext<Viewer>(DEFAULT_VIEWER);

let browserZone: string | undefined;
/** This browser's own time zone (UTC when it reports none Intl knows). */
function readBrowserZone(): string {
  browserZone ??=
    knownTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone) ?? DEFAULT_VIEWER.timeZone;
  return browserZone;
}

// A browser's zone does not change under a page: nothing to subscribe to.
const subscribeToNothing = () => () => {};

/**
 * The zone to show times in: while hydrating, the one the server rendered with (no mismatch);
 * then the browser's own.
 */
export function useViewerZone(): string {
  const { timeZone } = useContext(ViewerContext);
  return useSyncExternalStore(subscribeToNothing, readBrowserZone, () => timeZone);
}

/**
 * Gives the pages below the viewer the server negotiated, and leaves the browser's zone in a
 * cookie so that the next page comes from the server in it already.
 */
export function ViewerProvider({ viewer, children }: { viewer: Viewer; children: ReactNode }) {
  useEffect(() => {
    const zone = readBrowserZone();
    if (zone !== viewer.timeZone) {
      // biome-ignore lint/suspicious/noDocumentCookie: older Firefox and Safari lack the Cookie Store API; the value is a zone name Intl checked.
      document.cookie = `${TZ_COOKIE}=${zone}; path=/; max-age=31536000; samesite=lax`;
    }
  }, [viewer.timeZone]);
  return <ViewerContext.Provider value={viewer}>{children}</ViewerContext.Provider>;
}

/**
 * An instant in the viewer's locale and time zone, the zone named. The element keeps the UTC
 * instant in `dateTime`, and its title says it in UTC when the zone shown is another.
 */
export function DateTime({ value, style }: { value: string | Date; style?: InstantStyle }) {
  const { locale } = useContext(ViewerContext);
  const timeZone = useViewerZone();
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <>{String(value)}</>;
  const iso = date.toISOString();
  return (
    <time
      dateTime={iso}
      title={timeZone === "UTC" ? undefined : formatInstant(iso, DEFAULT_VIEWER)}
      // Node's and the browser's Intl data may word a zone differently; the text is right either way.
      suppressHydrationWarning
    >
      {formatInstant(iso, { locale, timeZone }, style)}
    </time>
  );
}

/** An amount of US dollars, in cents, in the viewer's locale. */
export function Money({ cents }: { cents: number }) {
  const { locale } = useContext(ViewerContext);
  return <>{formatMoney(cents, locale)}</>;
}
