import { createPublicKey, type KeyObject } from "node:crypto";

/**
 * A P-256 public key from its uncompressed form (0x04, x, y: 65 bytes), as Web Push writes keys
 * (a browser's p256dh, a VAPID `k`). Throws for anything else, a point off the curve included.
 */
export function p256PublicKey(raw: Buffer): KeyObject {
  if (raw.length !== 65 || raw[0] !== 4) throw new Error("not an uncompressed P-256 point");
  return createPublicKey({
    key: {
      kty: "EC",
      crv: "P-256",
      x: raw.subarray(1, 33).toString("base64url"),
      y: raw.subarray(33).toString("base64url"),
    },
    format: "jwk",
  });
}
