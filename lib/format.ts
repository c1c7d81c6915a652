import { DEFAULT_VIEWER, type Viewer } from "@/lib/locale";

/** Cents of US dollars in the viewer's locale: "$1,250.50", "1.250,50 $". */
export function formatMoney(cents: number, locale = DEFAULT_VIEWER.locale): string {
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: "USD",
    // Every amount is in dollars: "$", not en-GB's "US$".
    currencyDisplay: "narrowSymbol",
  }).format(cents / 100);
}

/** An instant in UTC, saying so: for mails and stored texts, which know nothing of the reader. */
export function formatDateTime(iso: string | Date): string {
  return formatInstant(iso, DEFAULT_VIEWER);
}

/** How much of an instant to show: the date and time, or the time alone. */
export type InstantStyle = "datetime" | "time";

/**
 * An instant in the viewer's locale and zone, the zone named ("6 Dec 2026, 08:00:00 UTC",
 * "06.12.2026, 03:00:00 GMT-5"). Something that is not a time comes back as it was given.
 */
export function formatInstant(
  value: string | Date,
  viewer: Viewer,
  style: InstantStyle = "datetime",
): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(viewer.locale, {
    ...(style === "datetime" ? { dateStyle: "medium" } : {}),
    timeStyle: "long",
    timeZone: viewer.timeZone,
  }).format(date);
}

/** How far `timeZone`'s wall clock is ahead of UTC at the instant `ms`, in milliseconds. */
function zoneOffsetAt(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(ms);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(
    part("year"),
    part("month") - 1,
    part("day"),
    part("hour"),
    part("minute"),
    part("second"),
  );
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant a `datetime-local` value ("2026-07-01T09:30") names on `timeZone`'s wall clock,
 * with the offset of that date (summer time included), not of today. A wall time that a clock
 * change skips is read with the offset from before the change; an invalid text gives an
 * Invalid Date.
 */
export function zonedToUtc(local: string, timeZone: string): Date {
  const asUtc = Date.parse(`${local}Z`);
  if (Number.isNaN(asUtc)) return new Date(Number.NaN);
  // Guess with the offset of the wall time read as UTC, then correct by the guess's own offset.
  const first = asUtc - zoneOffsetAt(asUtc, timeZone);
  const second = asUtc - zoneOffsetAt(first, timeZone);
  if (second === first || second + zoneOffsetAt(second, timeZone) === asUtc)
    return new Date(second);
  // Neither reads back as the wall time: the clock skips it; the later is the earlier offset's.
  return new Date(Math.max(first, second));
}

/**
 * A `datetime-local` value ("2026-07-01T09:30", seconds optional) as the ISO instant it names in
 * `timeZone`; any other text as it came, for the schema to refuse in words.
 */
export function localInputToIso(value: string | undefined, timeZone: string): string | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return value;
  const instant = zonedToUtc(value, timeZone);
  return Number.isNaN(instant.getTime()) ? value : instant.toISOString();
}

/** `date` on `timeZone`'s wall clock, as "2026-07-01T09:30:15". */
function wallClock(date: Date, timeZone: string): string {
  return new Date(date.getTime() + zoneOffsetAt(date.getTime(), timeZone))
    .toISOString()
    .slice(0, 19);
}

/** The `datetime-local` value showing `date` on `timeZone`'s wall clock. */
export function utcToZonedInput(date: Date, timeZone: string): string {
  return wallClock(date, timeZone).slice(0, 16);
}

/** "2026-11-21T08:02:11.123Z" → "08:02:11" on `timeZone`'s wall clock: a chart's time axis. */
export function clockTime(iso: string, timeZone = "UTC"): string {
  return wallClock(new Date(iso), timeZone).slice(11);
}

export function shortHash(hash: string, chars = 10): string {
  return hash.length > chars * 2 + 2 ? `${hash.slice(0, chars + 2)}…${hash.slice(-chars)}` : hash;
}
