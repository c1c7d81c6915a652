/**
 * c2sp.org/tlog-checkpoint note text: the origin, the tree size and the base64 root hash, one per
 * line, then optional extension lines (which this log never writes: cosigners would sign them
 * without being able to check them).
 */
import { decodeBase64, encodeBase64 } from "./base64";
import { parseDecimal } from "./decimal";
import { hasControlCharacter, isValidKeyName } from "./note";
import { NoteError, quote } from "./note-error";

export type Checkpoint = {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions: string[];
};

const HASH_LENGTH = 32;

function assertOrigin(origin: string): void {
  // The spec: a schema-less URL with neither Unicode spaces nor "+"; the log's key is named after it.
  if (!isValidKeyName(origin) || hasControlCharacter(origin)) {
    throw new NoteError(
      `checkpoint origin ${quote(origin)} must be non-empty, without spaces or "+"`,
    );
  }
}

export function formatCheckpoint(checkpoint: {
  origin: string;
  size: number;
  rootHash: Uint8Array;
}): string {
  assertOrigin(checkpoint.origin);
  if (!Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0) {
    throw new NoteError(`checkpoint size must be a whole number, got ${checkpoint.size}`);
  }
  if (checkpoint.rootHash.length !== HASH_LENGTH) {
    throw new NoteError(
      `checkpoint root hash must be ${HASH_LENGTH} bytes, got ${checkpoint.rootHash.length}`,
    );
  }
  return `${checkpoint.origin}\n${checkpoint.size}\n${encodeBase64(checkpoint.rootHash)}\n`;
}

/** Parses a checkpoint note's text (without its signatures), strictly. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith("\n")) throw new NoteError("checkpoint text must end with a newline");
  if (hasControlCharacter(text))
    throw new NoteError("checkpoint text must not contain control characters");
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3)
    throw new NoteError("a checkpoint has three lines: origin, tree size and root hash");
  const [origin = "", sizeLine = "", rootLine = "", ...extensions] = lines;
  assertOrigin(origin);
  const size = parseDecimal(sizeLine);
  if (size === null) {
    throw new NoteError(
      `checkpoint tree size ${quote(sizeLine)} must be a decimal number without leading zeros`,
    );
  }
  let rootHash: Uint8Array;
  try {
    rootHash = decodeBase64(rootLine);
  } catch (error) {
    throw new NoteError(`checkpoint root hash is ${(error as Error).message}`);
  }
  if (rootHash.length !== HASH_LENGTH) {
    throw new NoteError(
      `checkpoint root hash must be ${HASH_LENGTH} bytes, got ${rootHash.length}`,
    );
  }
  if (extensions.some((line) => line === ""))
    throw new NoteError("checkpoint extension lines must not be empty");
  return { origin, size, rootHash, extensions };
}
