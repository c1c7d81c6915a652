import "server-only";
import type { RequestContext } from "@/lib/audit/record-event";
import { requestCountry } from "@/lib/geo/geoip";
import { clientInfo } from "@/lib/http/client-info";
import { deviceIdFrom } from "@/lib/http/device-cookie";

export type RequestSignals = RequestContext & { deviceId: string | null };
export type ClaimContext = RequestSignals & { country: string | null };

function cookieFrom(headers: Headers, name: string): { value: string } | undefined {
  for (const part of headers.get("cookie")?.split(";") ?? []) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return { value: part.slice(at + 1).trim() };
  }
  return undefined;
}

/** Who is asking, as far as multi-account detection cares: address, user agent, device cookie. */
export function requestSignals(headers: Headers): RequestSignals {
  return {
    ...clientInfo(headers),
    deviceId: deviceIdFrom({ get: (name) => cookieFrom(headers, name) }) ?? null,
  };
}

/** What a claim or lottery entry is judged on besides the account: the signals and the country. */
export async function claimContext(headers: Headers): Promise<ClaimContext> {
  const signals = requestSignals(headers);
  return { ...signals, country: await requestCountry(headers, signals.ip) };
}
