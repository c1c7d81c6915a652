/**
 * c2sp.org/signed-note, following golang.org/x/mod/sumdb/note (the Go checksum database's code)
 * rule for rule: a note is its text, a blank line, then signature lines "— <name> <base64>".
 * Isomorphic: SHA-256 from @noble/hashes, Ed25519 through WebCrypto.
 */
import { sha256 } from "@noble/hashes/sha2";
import { concatBytes, utf8ToBytes } from "@noble/hashes/utils";
import { decodeBase64, encodeBase64 } from "./base64";
import { cosignatureMessage, parseCosignature } from "./cosignature";
import { verifyEd25519 } from "./ed25519";
import { NoteError, quote } from "./note-error";

export { NoteError };

/** 0x01: Ed25519 signature of the note text; 0x04: timestamped cosignature/v1. */
export type KeyType = 0x01 | 0x04;
export const ED25519: KeyType = 0x01;
export const COSIGNATURE_V1: KeyType = 0x04;

export type VerifierKey = {
  name: string;
  keyId: number;
  type: KeyType;
  publicKey: Uint8Array;
  vkey: string;
};

export type NoteSignature = {
  name: string;
  keyId: number;
  /** The signature bytes after the 4-byte key id. */
  signature: Uint8Array;
  /** The whole line, "— <name> <base64>\n". */
  line: string;
};

export type VerifiedSignature = { key: VerifierKey; timestamp?: number };

const SIGNATURE_PREFIX = "— ";
const MAX_SIGNATURES = 100;
const PUBLIC_KEY_LENGTH = 32;
const KEY_ID_LENGTH = 4;
// x/mod refuses shorter signatures: a key id and at least one byte.
const MIN_SIGNATURE_LENGTH = 5;

// Go's unicode.IsSpace is exactly the Unicode White_Space property.
const SPACE = /\p{White_Space}/u;
const LONE_SURROGATE = /\p{Cs}/u;

/** x/mod's rule for a whole note: every ASCII control character but "\n" is refused. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x0a) return true;
  }
  return false;
}

// A lone surrogate has no UTF-8 encoding, where x/mod refuses invalid UTF-8.
function isForbidden(text: string): boolean {
  return hasControlCharacter(text) || LONE_SURROGATE.test(text);
}

/** x/mod's isValidName: non-empty, no Unicode space, no "+" (the vkey separator). */
export function isValidKeyName(name: string): boolean {
  return name !== "" && !SPACE.test(name) && !name.includes("+") && !LONE_SURROGATE.test(name);
}

export function assertKeyName(name: string): void {
  if (!isValidKeyName(name)) {
    throw new NoteError(`key name ${quote(name)} must be non-empty, without spaces or "+"`);
  }
}

function assertKeyType(type: number): asserts type is KeyType {
  if (type !== ED25519 && type !== COSIGNATURE_V1) {
    throw new NoteError(
      `unsupported key type 0x${type.toString(16).padStart(2, "0")} (expected 0x01 or 0x04)`,
    );
  }
}

/** SHA-256(name ‖ "\n" ‖ type ‖ public key), first four bytes, big-endian. */
export function keyId(name: string, type: KeyType, publicKey: Uint8Array): number {
  const hash = sha256(concatBytes(utf8ToBytes(`${name}\n`), new Uint8Array([type]), publicKey));
  return new DataView(hash.buffer, hash.byteOffset).getUint32(0);
}

export function formatKeyId(id: number): string {
  return id.toString(16).padStart(8, "0");
}

/** The base64 of (type ‖ 32-byte key), a key string's last field. */
export function decodeTypedKey(field: string, what: string): { type: KeyType; key: Uint8Array } {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(field);
  } catch (error) {
    throw new NoteError(`${what}: the key is ${(error as Error).message}`);
  }
  const type = bytes[0] ?? 0;
  assertKeyType(type);
  if (bytes.length !== 1 + PUBLIC_KEY_LENGTH) {
    throw new NoteError(
      `${what}: an Ed25519 key is ${PUBLIC_KEY_LENGTH} bytes, got ${bytes.length - 1}`,
    );
  }
  return { type, key: bytes.slice(1) };
}

/** "<a>+<b>+<rest>": cut at the first two "+" only, since base64 may itself contain "+". */
export function splitKeyString(text: string, what: string): [string, string, string] {
  const first = text.indexOf("+");
  const second = first < 0 ? -1 : text.indexOf("+", first + 1);
  if (second < 0) throw new NoteError(`${what} must have the form name+keyid+base64`);
  return [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
}

/** The key id field: exactly eight lowercase hex digits. */
export function parseKeyIdField(field: string, what: string): number {
  if (!/^[0-9a-f]{8}$/.test(field)) {
    throw new NoteError(
      `${what}: the key id must be eight lowercase hex digits, got ${quote(field)}`,
    );
  }
  return Number.parseInt(field, 16);
}

export function formatVerifierKey(name: string, type: KeyType, publicKey: Uint8Array): string {
  assertKeyName(name);
  assertKeyType(type);
  if (publicKey.length !== PUBLIC_KEY_LENGTH) {
    throw new NoteError(
      `an Ed25519 public key is ${PUBLIC_KEY_LENGTH} bytes, got ${publicKey.length}`,
    );
  }
  const id = formatKeyId(keyId(name, type, publicKey));
  return `${name}+${id}+${encodeBase64(concatBytes(new Uint8Array([type]), publicKey))}`;
}

/** A verifier key "name+keyid+base64(type ‖ key)", its key id checked against its contents. */
export function parseVerifierKey(vkey: string): VerifierKey {
  const what = "verifier key";
  const [name, idField, keyField] = splitKeyString(vkey, what);
  assertKeyName(name);
  const id = parseKeyIdField(idField, what);
  const { type, key } = decodeTypedKey(keyField, what);
  if (keyId(name, type, key) !== id) {
    throw new NoteError(`${what} ${name}: the key id ${idField} does not match the key`);
  }
  return { name, keyId: id, type, publicKey: key, vkey };
}

export function formatSignatureLine(name: string, id: number, signature: Uint8Array): string {
  assertKeyName(name);
  const bytes = new Uint8Array(KEY_ID_LENGTH + signature.length);
  new DataView(bytes.buffer).setUint32(0, id);
  bytes.set(signature, KEY_ID_LENGTH);
  return `${SIGNATURE_PREFIX}${name} ${encodeBase64(bytes)}\n`;
}

/** A note: its text, the blank line, then the signature lines (each ending in "\n"). */
export function formatNote(text: string, signatureLines: string[]): string {
  const note = `${text}\n${signatureLines.join("")}`;
  parseNote(note);
  return note;
}

/** Text fit to be signed: ends in "\n", has no blank line, no control characters. */
export function assertNoteText(text: string): void {
  if (text === "" || !text.endsWith("\n")) throw new NoteError("note text must end with a newline");
  if (text.includes("\n\n") || text.startsWith("\n"))
    throw new NoteError("note text must not contain a blank line");
  if (isForbidden(text)) throw new NoteError("note text must not contain control characters");
}

function parseSignatureLine(line: string): NoteSignature {
  const malformed = (why: string) =>
    new NoteError(`malformed signature line ${quote(line)}: ${why}`);
  if (!line.startsWith(SIGNATURE_PREFIX)) throw malformed('it must start with "— "');
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(" ");
  if (space < 0) throw malformed("a space must separate the key name from the signature");
  const name = rest.slice(0, space);
  const field = rest.slice(space + 1);
  if (!isValidKeyName(name)) throw malformed('the key name is empty or has spaces or a "+"');
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(field);
  } catch (error) {
    throw malformed(`the signature is ${(error as Error).message}`);
  }
  if (bytes.length < MIN_SIGNATURE_LENGTH) throw malformed("the signature is too short");
  return {
    name,
    keyId: new DataView(bytes.buffer, bytes.byteOffset).getUint32(0),
    signature: bytes.slice(KEY_ID_LENGTH),
    line: `${line}\n`,
  };
}

/** Splits a signed note into its text and signature lines, without verifying anything. */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (isForbidden(note)) {
    throw new NoteError("malformed note: it contains control characters or invalid UTF-8");
  }
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw new NoteError("malformed note: no blank line before the signatures");
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === "" || !block.endsWith("\n")) {
    throw new NoteError(
      "malformed note: the signatures must follow the blank line, each ending in a newline",
    );
  }
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) {
    throw new NoteError(`malformed note: more than ${MAX_SIGNATURES} signatures`);
  }
  return { text, signatures: lines.map(parseSignatureLine) };
}

async function verifySignature(
  key: VerifierKey,
  text: string,
  signature: Uint8Array,
): Promise<VerifiedSignature | null> {
  if (key.type === ED25519) {
    return (await verifyEd25519(key.publicKey, utf8ToBytes(text), signature)) ? { key } : null;
  }
  let cosignature: ReturnType<typeof parseCosignature>;
  try {
    cosignature = parseCosignature(signature);
  } catch {
    return null;
  }
  const message = cosignatureMessage(cosignature.timestamp, text);
  const ok = await verifyEd25519(key.publicKey, message, cosignature.signature);
  return ok ? { key, timestamp: cosignature.timestamp } : null;
}

function ambiguous(key: { name: string; keyId: number }): NoteError {
  return new NoteError(
    `ambiguous key ${key.name}+${formatKeyId(key.keyId)}: two trusted keys share this name and key id`,
  );
}

/**
 * Refuses a key list in which two keys share a name and key id (a signature line names its key
 * by those alone), in the words openNote would use, or one public key under two names (a
 * cosignature signs no name, so one relabelled line would count twice): lists are checked where
 * they are read.
 */
export function assertDistinctKeys(keys: readonly VerifierKey[]): void {
  const seen = new Set<string>();
  const owners = new Map<string, string>();
  for (const key of keys) {
    const id = `${key.name}+${key.keyId}`;
    if (seen.has(id)) throw ambiguous(key);
    seen.add(id);
    const publicKey = `${key.type}:${encodeBase64(key.publicKey)}`;
    const owner = owners.get(publicKey);
    if (owner !== undefined) {
      throw new NoteError(`the keys ${owner} and ${key.name} are one public key under two names`);
    }
    owners.set(publicKey, key.name);
  }
}

/**
 * Parses a note and verifies the signatures of the keys it is given, matched by name and key id.
 * Unknown signers are ignored and a key's repeated signatures count once (its first is checked);
 * a known key's bad signature rejects the whole note, and so do two keys that a signature line
 * names alike. Requires no signature: the caller decides
 * whose are needed (the log's own, k of n witnesses).
 */
export async function openNote(
  note: string,
  keys: VerifierKey[],
): Promise<{ text: string; signatures: NoteSignature[]; verified: VerifiedSignature[] }> {
  const { text, signatures } = parseNote(note);
  const seen = new Set<VerifierKey>();
  const verified: VerifiedSignature[] = [];
  for (const signature of signatures) {
    const matches = keys.filter((k) => k.name === signature.name && k.keyId === signature.keyId);
    // As Go's VerifierList: with two, the line could mean either, and the wrong pick would refuse
    // an honest note (or shadow a key), so the key list is at fault and says so.
    if (matches.length > 1) throw ambiguous(signature);
    const key = matches[0];
    if (!key || seen.has(key)) continue;
    seen.add(key);
    const result = await verifySignature(key, text, signature.signature);
    if (!result) throw new NoteError(`invalid signature by ${key.name}`);
    verified.push(result);
  }
  return { text, signatures, verified };
}
