import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Webhook signatures as card processors make them: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>">` with a secret shared with the provider. The timestamp is signed with the body, so
 * a captured webhook replays only within the tolerance; within it, handling is idempotent.
 */

export const SIGNATURE_HEADER = "test-provider-signature";
/** How old (or how far ahead) a signed timestamp may be. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** Over the body's exact bytes: no decoding (which could drop a BOM or mend bad UTF-8) first. */
function hmac(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

export function signWebhook(secret: string, body: string | Uint8Array, now = new Date()): string {
  const timestamp = Math.floor(now.getTime() / 1000);
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

/** Why a signature is refused, or undefined when it is good. */
export function signatureProblem(
  secret: string,
  header: string | null,
  body: Uint8Array,
  now = new Date(),
): string | undefined {
  if (!header) return "no signature";
  const parts = new Map<string, string[]>();
  for (const part of header.split(",")) {
    const at = part.indexOf("=");
    if (at <= 0) return "a malformed signature";
    const key = part.slice(0, at).trim();
    parts.set(key, [...(parts.get(key) ?? []), part.slice(at + 1).trim()]);
  }
  const stamp = parts.get("t")?.[0];
  if (!stamp || !/^[0-9]{1,12}$/.test(stamp)) return "no timestamp";
  const timestamp = Number(stamp);
  if (Math.abs(now.getTime() / 1000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS) {
    return "a timestamp outside the tolerance";
  }
  const expected = Buffer.from(hmac(secret, timestamp, body), "hex");
  // Several v1 values are allowed while a secret is rotated; each is compared in constant time.
  const good = (parts.get("v1") ?? []).some((candidate) => {
    if (!/^[0-9a-f]{64}$/.test(candidate)) return false;
    return timingSafeEqual(Buffer.from(candidate, "hex"), expected);
  });
  return good ? undefined : "a wrong signature";
}
