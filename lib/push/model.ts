/** Web Push as the browser may see it: the subscription it sends, the state it is shown. */
import { z } from "zod";

/** Subscriptions one player may keep; a new one beyond this replaces the longest unused. */
export const MAX_PUSH_SUBSCRIPTIONS = 10;
export const MAX_PUSH_ENDPOINT_LENGTH = 2048;

/** base64url (padding tolerated, as some browsers send it) of exactly `bytes` bytes. */
const base64urlOf = (bytes: number, what: string) =>
  z
    .string({ error: `${what} is required` })
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, { error: `${what} must be base64url` })
    .refine((text) => decodedLength(text) === bytes, {
      error: `${what} must be ${bytes} bytes`,
    });

function decodedLength(text: string): number {
  const bare = text.replace(/=+$/, "");
  return Math.floor((bare.length * 3) / 4);
}

/**
 * A PushSubscription as the browser's `toJSON()` gives it. p256dh is the browser's uncompressed
 * P-256 public key (65 bytes), auth its 16-byte secret (RFC 8291). The endpoint's address is
 * checked on the server (lib/push/subscriptions.ts), where the allow flag is known.
 */
export const pushSubscriptionSchema = z.object({
  endpoint: z
    .string({ error: "endpoint is required" })
    .min(1, { error: "endpoint is required" })
    .max(MAX_PUSH_ENDPOINT_LENGTH, { error: "endpoint is too long" })
    // Push services give plain ASCII URLs; anything else (a NUL PostgreSQL cannot store, a
    // space, an unpaired surrogate) is no endpoint.
    .regex(/^[\x21-\x7e]+$/, { error: "endpoint must be a URL in printable ASCII" }),
  expirationTime: z.number().nullable().optional(),
  keys: z.object(
    { p256dh: base64urlOf(65, "keys.p256dh"), auth: base64urlOf(16, "keys.auth") },
    { error: "keys (p256dh and auth) are required" },
  ),
});
export type PushSubscriptionInput = z.infer<typeof pushSubscriptionSchema>;

/** Which subscription to remove: the endpoint the browser unsubscribed. */
export const pushEndpointSchema = pushSubscriptionSchema.pick({ endpoint: true });

/** What the browser needs to subscribe, and whether this player gets pushes anywhere. */
export type PushState = {
  /** The VAPID public key (base64url) to subscribe with; null: push is off on this server. */
  publicKey: string | null;
  subscriptions: number;
};

/** What a push carries (encrypted): the notification's words and the page to open. */
export type PushPayload = { title: string; body: string; link: string | null };
