/**
 * Retry-After (RFC 9110 §10.2.3) from a provider we do not control: delay-seconds or an
 * HTTP-date, in the three formats a recipient must accept. A hostile or broken value must neither
 * stop retries for ever nor make them hammer the provider, so the answer is clamped.
 */

/** The longest wait a provider may ask for: it is probed again after this even if it asked more. */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const LONG_DAY = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
const MONTH = `(${MONTHS.join("|")})`;
const TIME = "([0-9]{2}):([0-9]{2}):([0-9]{2})";
/** Sun, 06 Nov 1994 08:49:37 GMT */
const IMF_FIXDATE = new RegExp(`^${DAY}, ([0-9]{2}) ${MONTH} ([0-9]{4}) ${TIME} GMT$`);
/** Sunday, 06-Nov-94 08:49:37 GMT */
const RFC850_DATE = new RegExp(`^${LONG_DAY}, ([0-9]{2})-${MONTH}-([0-9]{2}) ${TIME} GMT$`);
/** Sun Nov  6 08:49:37 1994 */
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ([ 0-9][0-9]) ${TIME} ([0-9]{4})$`);

function utc(year: number, month: string, day: number, h: string, m: string, s: string) {
  const monthIndex = MONTHS.indexOf(month);
  const [hours, minutes, seconds] = [Number(h), Number(m), Number(s)];
  if (hours > 23 || minutes > 59 || seconds > 60) return undefined;
  const time = Date.UTC(year, monthIndex, day, hours, minutes, Math.min(seconds, 59));
  // Date.UTC rolls 31 Feb over into March: such a date is not a date.
  return new Date(time).getUTCDate() === day ? time : undefined;
}

function parseHttpDate(text: string, now: Date): number | undefined {
  let match = IMF_FIXDATE.exec(text);
  if (match) {
    const [, day, month, year, h, m, s] = match as unknown as string[];
    return utc(Number(year), month as string, Number(day), h as string, m as string, s as string);
  }
  match = RFC850_DATE.exec(text);
  if (match) {
    const [, day, month, yy, h, m, s] = match as unknown as string[];
    // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
    const century = Math.floor(now.getUTCFullYear() / 100) * 100;
    let year = century + Number(yy);
    if (year > now.getUTCFullYear() + 50) year -= 100;
    return utc(year, month as string, Number(day), h as string, m as string, s as string);
  }
  match = ASCTIME_DATE.exec(text);
  if (match) {
    const [, month, day, h, m, s, year] = match as unknown as string[];
    return utc(Number(year), month as string, Number(day), h as string, m as string, s as string);
  }
  return undefined;
}

/**
 * The wait a Retry-After value asks for, in milliseconds from `now`, between 0 and
 * MAX_RETRY_AFTER_MS; undefined when there is none or it is not a valid value (the caller then
 * uses its own backoff). A date in the past means now.
 */
export function parseRetryAfter(value: string | null, now = new Date()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  // The longest valid value is an RFC 850 date; anything longer is not worth a regex.
  if (text.length === 0 || text.length > 40) return undefined;
  if (/^[0-9]+$/.test(text)) {
    // Digits beyond what a double holds exactly are still "very long": Number gives a large value.
    return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  }
  const at = parseHttpDate(text, now);
  if (at === undefined) return undefined;
  return Math.min(Math.max(at - now.getTime(), 0), MAX_RETRY_AFTER_MS);
}
