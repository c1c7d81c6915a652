import "server-only";
import maxmind, { type CountryResponse, type Reader } from "maxmind";
import { type Env, env } from "@/lib/config/env";
import { AppError } from "@/lib/errors/app-error";
import { logError } from "@/lib/log";
import { isCountryCode } from "./model";

let opened: { path: string; reader: Promise<Reader<CountryResponse>> } | undefined;

/**
 * The database is read once per process; maxmind watches the file and swaps in a new copy when
 * it changes (databases are updated weekly), without a restart.
 */
function countryDatabase(path: string): Promise<Reader<CountryResponse>> {
  if (opened?.path !== path) {
    const reader = maxmind.open<CountryResponse>(path, {
      watchForUpdates: true,
      watchForUpdatesNonPersistent: true,
    });
    opened = { path, reader };
    reader.catch(() => {
      // A missing or broken file is retried on the next request rather than remembered.
      if (opened?.reader === reader) opened = undefined;
    });
  }
  return opened.reader;
}

/** The country (ISO 3166-1 alpha-2) a MaxMind-format database places an address in, if any. */
export async function lookupCountry(path: string, ip: string): Promise<string | null> {
  const address = ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  if (!maxmind.validate(address)) return null;
  let reader: Reader<CountryResponse>;
  try {
    reader = await countryDatabase(path);
  } catch (error) {
    // Claims must not pass unchecked because the configured database is unreadable.
    logError("geoip_database_unreadable", error, { path });
    throw new AppError("unavailable", "The location check is unavailable; try again later");
  }
  let found: CountryResponse | null;
  try {
    found = reader.get(address);
  } catch {
    // An IPv6 address asked of an IPv4-only database.
    return null;
  }
  const code = found?.country?.iso_code ?? found?.registered_country?.iso_code;
  return code && isCountryCode(code) ? code : null;
}

/**
 * The request's country: from the trusted proxy's header when GEOIP_COUNTRY_HEADER is set and
 * present, else from GEOIP_DATABASE. Null when neither is configured or the country is unknown
 * (a private address, "XX" from the CDN): the location rule then has nothing to judge.
 */
export async function requestCountry(
  headers: Headers,
  ip: string | null | undefined,
  config: Pick<Env, "GEOIP_DATABASE" | "GEOIP_COUNTRY_HEADER"> = env(),
): Promise<string | null> {
  if (config.GEOIP_COUNTRY_HEADER) {
    const value = headers.get(config.GEOIP_COUNTRY_HEADER)?.trim().toUpperCase();
    if (value && isCountryCode(value)) return value;
  }
  if (config.GEOIP_DATABASE && ip) return lookupCountry(config.GEOIP_DATABASE, ip);
  return null;
}
