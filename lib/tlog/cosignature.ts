/**
 * c2sp.org/tlog-cosignature, Ed25519 "cosignature/v1" (key type 0x04): a witness signs
 * "cosignature/v1\ntime <t>\n" followed by the checkpoint text, and its signature line carries the
 * 8-byte big-endian timestamp before the 64-byte signature.
 */
import { utf8ToBytes } from "@noble/hashes/utils";
import { NoteError } from "./note-error";

const TIMESTAMP_LENGTH = 8;
const SIGNATURE_LENGTH = 64;

function assertTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new NoteError(`a cosignature time must be a whole number of seconds, got ${timestamp}`);
  }
}

/** The bytes a cosigner signs for `text` (the checkpoint note text, final "\n" included). */
export function cosignatureMessage(timestamp: number, text: string): Uint8Array {
  assertTimestamp(timestamp);
  return utf8ToBytes(`cosignature/v1\ntime ${timestamp}\n${text}`);
}

/** Splits a cosignature (the bytes after the key id) into its time and Ed25519 signature. */
export function parseCosignature(signature: Uint8Array): {
  timestamp: number;
  signature: Uint8Array;
} {
  if (signature.length !== TIMESTAMP_LENGTH + SIGNATURE_LENGTH) {
    throw new NoteError(
      `a cosignature is ${TIMESTAMP_LENGTH + SIGNATURE_LENGTH} bytes (time and signature), got ${signature.length}`,
    );
  }
  const view = new DataView(signature.buffer, signature.byteOffset, signature.byteLength);
  const time = view.getBigUint64(0);
  if (time > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new NoteError(`a cosignature's time ${time} is beyond any plausible date`);
  }
  return { timestamp: Number(time), signature: signature.slice(TIMESTAMP_LENGTH) };
}

/** The 72 bytes of a cosignature: the time, big-endian, then the signature. */
export function encodeCosignature(timestamp: number, signature: Uint8Array): Uint8Array {
  assertTimestamp(timestamp);
  const out = new Uint8Array(TIMESTAMP_LENGTH + signature.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(timestamp));
  out.set(signature, TIMESTAMP_LENGTH);
  return out;
}
