/**
 * The device cookie: a random id the proxy gives every browser on its first request, so that
 * accounts used from the same browser can be linked (multi-account detection). It identifies a
 * browser, not a person, and carries no secret; a client can always clear or forge it, so it is
 * one signal among several, never proof on its own.
 */
export const DEVICE_COOKIE = "pl_device";

/** 400 days: the longest lifetime browsers accept for a cookie. */
export const DEVICE_COOKIE_MAX_AGE = 400 * 24 * 3600;

const DEVICE_ID = /^[A-Za-z0-9_-]{22}$/;

/** 128 random bits, base64url. */
export function newDeviceId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Buffer.from(bytes).toString("base64url");
}

/** Whether a cookie value has the shape of an id this app issued (anything else is replaced). */
export function isDeviceId(value: string | undefined): value is string {
  return value !== undefined && DEVICE_ID.test(value);
}

/** The browser's device id from a request's cookies, when it has a well-formed one. */
export function deviceIdFrom(cookies: { get(name: string): { value: string } | undefined }) {
  const value = cookies.get(DEVICE_COOKIE)?.value;
  return isDeviceId(value) ? value : undefined;
}
