import "server-only";
/**
 * Signing for the log (Ed25519 note signatures, type 0x01) and for witnesses (cosignature/v1,
 * type 0x04), with node:crypto. Keys use x/mod's signer-key string,
 * "PRIVATE+KEY+<name>+<keyid>+base64(type ‖ 32-byte seed)", so Go's tools read them too.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from "node:crypto";
import { encodeBase64 } from "./base64";
import { cosignatureMessage, encodeCosignature } from "./cosignature";
import {
  assertKeyName,
  assertNoteText,
  COSIGNATURE_V1,
  decodeTypedKey,
  ED25519,
  formatKeyId,
  formatSignatureLine,
  formatVerifierKey,
  isValidKeyName,
  type KeyType,
  keyId,
  NoteError,
  splitKeyString,
} from "./note";

export type SignerKey = {
  name: string;
  keyId: number;
  type: KeyType;
  seed: Uint8Array;
  publicKey: Uint8Array;
  vkey: string;
};

const SKEY_PREFIX = "PRIVATE+KEY+";
const SEED_LENGTH = 32;
// DER PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410), the form node:crypto imports.
const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

function privateKeyObject(seed: Uint8Array): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
}

function rawPublicKey(key: KeyObject): Uint8Array {
  const x = createPublicKey(key).export({ format: "jwk" }).x;
  if (!x) throw new Error("node:crypto exported an Ed25519 key without its public part");
  return new Uint8Array(Buffer.from(x, "base64url"));
}

function formatSignerKey(
  name: string,
  type: KeyType,
  seed: Uint8Array,
  publicKey: Uint8Array,
): string {
  const id = formatKeyId(keyId(name, type, publicKey));
  const typed = new Uint8Array(1 + SEED_LENGTH);
  typed[0] = type;
  typed.set(seed, 1);
  return `${SKEY_PREFIX}${name}+${id}+${encodeBase64(typed)}`;
}

/** Reads a signer key. Error messages name the key, never any of its secret bytes. */
export function parseSignerKey(skey: string): SignerKey {
  const what = "signer key";
  if (!skey.startsWith(SKEY_PREFIX)) throw new NoteError(`${what} must start with ${SKEY_PREFIX}`);
  // A key missing a field would shift the seed into the name or key id: never echo those.
  const [name, idField, keyField] = splitKeyString(skey.slice(SKEY_PREFIX.length), what);
  if (!isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(idField)) {
    throw new NoteError(`${what} must be PRIVATE+KEY+<name>+<8 hex digit key id>+<base64 seed>`);
  }
  const id = Number.parseInt(idField, 16);
  const { type, key: seed } = decodeTypedKey(keyField, `${what} ${name}`);
  const publicKey = rawPublicKey(privateKeyObject(seed));
  if (keyId(name, type, publicKey) !== id) {
    throw new NoteError(`${what} ${name}: the key id ${idField} does not match the key`);
  }
  return { name, keyId: id, type, seed, publicKey, vkey: formatVerifierKey(name, type, publicKey) };
}

/** A fresh key pair: the secret signer key and the verifier key to publish. */
export function generateSignerKey(name: string, type: KeyType): { skey: string; vkey: string } {
  assertKeyName(name);
  const { privateKey } = generateKeyPairSync("ed25519");
  const d = privateKey.export({ format: "jwk" }).d;
  if (!d) throw new Error("node:crypto exported an Ed25519 key without its seed");
  const seed = new Uint8Array(Buffer.from(d, "base64url"));
  const publicKey = rawPublicKey(privateKey);
  return {
    skey: formatSignerKey(name, type, seed, publicKey),
    vkey: formatVerifierKey(name, type, publicKey),
  };
}

function requireType(key: SignerKey, type: KeyType, use: string): void {
  if (key.type !== type) {
    throw new NoteError(
      `key ${key.name} has type 0x0${key.type}, but ${use} needs a type 0x0${type} key`,
    );
  }
}

function ed25519Sign(key: SignerKey, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, privateKeyObject(key.seed)));
}

/** The log's signature line over a note text (type 0x01: Ed25519 over the text itself). */
export function signNote(text: string, key: SignerKey): string {
  requireType(key, ED25519, "a note signature");
  assertNoteText(text);
  return formatSignatureLine(key.name, key.keyId, ed25519Sign(key, new TextEncoder().encode(text)));
}

/** A witness's cosignature/v1 line over a checkpoint text at `timestamp` (seconds). */
export function cosign(text: string, key: SignerKey, timestamp: number): string {
  requireType(key, COSIGNATURE_V1, "a cosignature");
  assertNoteText(text);
  const signature = ed25519Sign(key, cosignatureMessage(timestamp, text));
  return formatSignatureLine(key.name, key.keyId, encodeCosignature(timestamp, signature));
}
