/**
 * Admission tokens: what the waiting room gives a player whose turn came, and what the claim
 * path checks without a database read. `a1.<expiry ms>.<HMAC-SHA256>` over the drop, the player
 * and the expiry, so a token works for one account, one drop, until it expires.
 */
import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/config/env";

const VERSION = "a1";
const KEY_LABEL = "prizeledger/admission-token/v1";

/** What the claim path learns from a request's token. */
export type AdmissionCheck = "admitted" | "expired" | "invalid" | "missing";

let cachedKey: Buffer | undefined;

/** The signing key: QUEUE_TOKEN_SECRET, else derived from AUTH_SECRET (never AUTH_SECRET itself). */
export function admissionKey(): Buffer {
  if (cachedKey) return cachedKey;
  const { QUEUE_TOKEN_SECRET, AUTH_SECRET } = env();
  const secret = QUEUE_TOKEN_SECRET ?? AUTH_SECRET;
  if (!secret) throw new Error("Set QUEUE_TOKEN_SECRET or AUTH_SECRET to sign admission tokens");
  cachedKey = createHmac("sha256", secret).update(KEY_LABEL).digest();
  return cachedKey;
}

function mac(key: Buffer, dropId: string, playerId: string, expiresMs: number): Buffer {
  return createHmac("sha256", key)
    .update(
      `${VERSION}\u0000${dropId.toLowerCase()}\u0000${playerId.toLowerCase()}\u0000${expiresMs}`,
    )
    .digest();
}

export function signAdmission(
  grant: { dropId: string; playerId: string; expiresAt: Date },
  key: Buffer = admissionKey(),
): string {
  const expiresMs = grant.expiresAt.getTime();
  const signature = mac(key, grant.dropId, grant.playerId, expiresMs).toString("base64url");
  return `${VERSION}.${expiresMs}.${signature}`;
}

const TOKEN = /^a1\.(\d{13,15})\.([A-Za-z0-9_-]{43})$/;

/**
 * Checks a token for this drop and player at `nowMs`: one HMAC, no database. A token made for
 * another drop or account, or altered in any byte, is `invalid`; a genuine one past its expiry
 * is `expired`.
 */
export function checkAdmission(
  token: string | null | undefined,
  claim: { dropId: string; playerId: string },
  nowMs: number = Date.now(),
  key?: Buffer,
): AdmissionCheck {
  if (token === null || token === undefined || token === "") return "missing";
  const match = TOKEN.exec(token);
  if (!match) return "invalid";
  const expiresMs = Number(match[1]);
  const given = Buffer.from(match[2] as string, "base64url");
  const expected = mac(key ?? admissionKey(), claim.dropId, claim.playerId, expiresMs);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "invalid";
  return nowMs < expiresMs ? "admitted" : "expired";
}
