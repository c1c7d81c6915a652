/**
 * Who is looking, as far as dates and money care: a locale negotiated from the request's
 * Accept-Language, and a time zone the browser reports in a cookie. Both come from the client,
 * so both are checked, and anything odd falls back rather than failing the page.
 * Browser-safe: no database, no Node.
 */

export type Viewer = { locale: string; timeZone: string };

/** Locales the pages are rendered in; what no header asks for gets the first. */
export const SUPPORTED_LOCALES = [
  "en-GB",
  "en-US",
  "de-DE",
  "fr-FR",
  "es-ES",
  "it-IT",
  "nl-NL",
  "pt-BR",
  "ja-JP",
] as const;

export const DEFAULT_VIEWER: Viewer = { locale: SUPPORTED_LOCALES[0], timeZone: "UTC" };

/** The cookie in which the browser leaves its IANA time zone for the server's next rendering. */
export const TZ_COOKIE = "tz";

// A header longer than any browser sends is read only this far, and only this many of its tags.
const MAX_HEADER_CHARS = 512;
const MAX_TAGS = 16;
const LANGUAGE_TAG = /^[a-z]{1,8}(-[a-z0-9]{1,8})*$/i;
const QUALITY = /^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$/i;

/** The Accept-Language tags with a weight above zero, best first (ties keep the header's order). */
export function acceptedLanguages(header: string | null | undefined): string[] {
  if (!header) return [];
  const weighted: Array<{ tag: string; q: number }> = [];
  for (const part of header.slice(0, MAX_HEADER_CHARS).split(",").slice(0, MAX_TAGS)) {
    const [rawTag = "", ...params] = part.split(";").map((s) => s.trim());
    const quality = params.find((p) => /^q=/i.test(p));
    if (!LANGUAGE_TAG.test(rawTag) || (quality !== undefined && !QUALITY.test(quality))) continue;
    const q = quality === undefined ? 1 : Number(quality.slice(2));
    if (q > 0) weighted.push({ tag: rawTag, q });
  }
  return weighted.sort((a, b) => b.q - a.q).map((w) => w.tag);
}

/**
 * The supported locale that best answers the header: the first tag that names one exactly, or
 * else shares its language (de-AT → de-DE, en → en-GB); the default when none does.
 */
export function negotiateLocale(header: string | null | undefined): string {
  for (const tag of acceptedLanguages(header)) {
    const lower = tag.toLowerCase();
    const exact = SUPPORTED_LOCALES.find((l) => l.toLowerCase() === lower);
    if (exact) return exact;
    const language = lower.split("-")[0];
    const sibling = SUPPORTED_LOCALES.find((l) => l.toLowerCase().split("-")[0] === language);
    if (sibling) return sibling;
  }
  return DEFAULT_VIEWER.locale;
}

const ZONE_NAME = /^[A-Za-z0-9_+\-/]{1,64}$/;

/** The canonical name of an IANA time zone that Intl knows, or null for anything else. */
export function knownTimeZone(value: string | null | undefined): string | null {
  if (!value || !ZONE_NAME.test(value)) return null;
  try {
    return new Intl.DateTimeFormat("en", { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** The viewer of a request, from its Accept-Language header and its time-zone cookie. */
export function viewerFrom(
  acceptLanguage: string | null | undefined,
  tzCookie: string | null | undefined,
): Viewer {
  return {
    locale: negotiateLocale(acceptLanguage),
    timeZone: knownTimeZone(tzCookie) ?? DEFAULT_VIEWER.timeZone,
  };
}
