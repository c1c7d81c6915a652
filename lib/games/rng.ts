/**
 * The provably fair random source (docs/games.md). Browser-safe: a verify page replays rounds
 * with the same code as the engine.
 *
 * bytes(cursor) = HMAC_SHA256(key = utf8(serverSeed hex text), message = utf8(clientSeed ":"
 * nonce ":" cursor)); each 32-byte block gives 8 floats of 4 bytes,
 * f = b0/256 + b1/256² + b2/256³ + b3/256⁴, taken in order, cursor 0 first.
 */
import { hmac } from "@noble/hashes/hmac";
import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils";

const FLOATS_PER_BLOCK = 8;
/** 2^32: a float's 4 bytes read as one big-endian unsigned integer, over this. */
export const FLOAT_SCALE = 2 ** 32;

/** The commitment: SHA-256 of the seed's hex text, in lowercase hex. */
export function hashServerSeed(serverSeed: string): string {
  return bytesToHex(sha256(utf8ToBytes(serverSeed)));
}

export const SERVER_SEED_PATTERN = /^[0-9a-f]{64}$/;

/**
 * The first `count` floats of a round, each as its 4 bytes read big-endian (u32): the float is
 * u32 / 2^32 exactly, and games compute with the integer so no rounding ever differs between
 * a server and a verifier.
 */
export function roundIntegers(
  serverSeed: string,
  clientSeed: string,
  nonce: number,
  count: number,
): number[] {
  const keyed = hmac.create(sha256, utf8ToBytes(serverSeed));
  const out: number[] = [];
  for (let cursor = 0; out.length < count; cursor++) {
    const block = keyed
      .clone()
      .update(utf8ToBytes(`${clientSeed}:${nonce}:${cursor}`))
      .digest();
    const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
    for (let i = 0; i < FLOATS_PER_BLOCK && out.length < count; i++) {
      out.push(view.getUint32(4 * i));
    }
  }
  return out;
}

/** The floats as the issue writes them (b0/256 + … + b3/256⁴), for display. */
export function roundFloats(
  serverSeed: string,
  clientSeed: string,
  nonce: number,
  count: number,
): number[] {
  return roundIntegers(serverSeed, clientSeed, nonce, count).map((u) => u / FLOAT_SCALE);
}
