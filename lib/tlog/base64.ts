/**
 * Standard base64 (RFC 4648 §4, with padding), decoded strictly: a value has exactly one
 * accepted spelling, so a signed note, a key or a checkpoint cannot be re-encoded into a second
 * form that still parses. Isomorphic: no Buffer, no node: imports.
 */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const left = bytes.length - i;
    out += ALPHABET[a >> 2];
    out += ALPHABET[((a & 0x03) << 4) | (b >> 4)];
    out += left > 1 ? ALPHABET[((b & 0x0f) << 2) | (c >> 6)] : "=";
    out += left > 2 ? ALPHABET[c & 0x3f] : "=";
  }
  return out;
}

/** Throws on anything but the canonical spelling (bad characters, padding or trailing bits). */
export function decodeBase64(text: string): Uint8Array {
  if (!SHAPE.test(text)) throw new Error("not valid base64 (standard alphabet with padding)");
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let bits = 0;
  let buffer = 0;
  let at = 0;
  for (const char of text) {
    if (char === "=") break;
    buffer = (buffer << 6) | ALPHABET.indexOf(char);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (buffer >> bits) & 0xff;
      buffer &= (1 << bits) - 1;
    }
  }
  // Unused low bits of the last character must be zero, or two spellings decode alike.
  if (encodeBase64(out) !== text) throw new Error("not canonical base64 (non-zero trailing bits)");
  return out;
}
