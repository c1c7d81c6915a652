/** Longer than any path of this site; a longer "return to" value is no honest link. */
const MAX_LENGTH = 2048;

/** Printable ASCII without the space: what a well-formed URL path and query are made of. */
const RAW_PATH = /^[!-~]*$/;

/**
 * Off-site in some reader: browsers read `\` as `/` (so `/\x` is `//x`, another host), drop tabs
 * and newlines from URLs, and a path that starts with two slashes names a host. Control
 * characters (C0, DEL, C1) have no business in a path either.
 */
const UNSAFE = /^\/[/\\]|[\\\p{Cc}]/u;

/** Decodes every `%XX` escape there is, leaving a stray `%` as it is (never throws). */
function decodeEscapes(text: string): string {
  return text.replace(/%([0-9a-f]{2})/gi, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** Honest links are encoded at most twice (a path inside a `next` inside a link). */
const MAX_DECODINGS = 4;

/**
 * `value` if it is a path on this site (`/`, then no second `/` or `\`), else `fallback`: the one
 * check for every "return to" value a visitor can choose (`next`, Auth.js's `callbackUrl`).
 * Percent-encoded forms are checked too, since a server or router on the way may decode one
 * (`/%5Cevil.example` is `/\evil.example` after that).
 */
export function safeRedirectPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || value.length > MAX_LENGTH) return fallback;
  if (!value.startsWith("/") || !RAW_PATH.test(value)) return fallback;
  let text = value;
  for (let round = 0; round <= MAX_DECODINGS; round++) {
    if (UNSAFE.test(text)) return fallback;
    const decoded = decodeEscapes(text);
    if (decoded === text) return value;
    text = decoded;
  }
  return fallback;
}

/**
 * `href` with `next=<value>` added when `value` is a safe path (as safeRedirectPath judges)
 * other than `/`, where every flow lands anyway; otherwise `href` as it is. How a return path
 * travels through sign-up, the verification mail and the confirmation page.
 */
export function withReturnPath(href: string, value: unknown): string {
  const next = safeRedirectPath(value);
  if (next === "/") return href;
  return `${href}${href.includes("?") ? "&" : "?"}next=${encodeURIComponent(next)}`;
}
