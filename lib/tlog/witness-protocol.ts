/**
 * The c2sp.org/tlog-witness add-checkpoint request body: "old <size>", the consistency proof from
 * that size (one base64 hash a line), a blank line, then the signed checkpoint note. And the
 * 409 answer's text/x.tlog.size body, the witness's latest size.
 */
import { decodeBase64, encodeBase64 } from "./base64";
import { parseDecimal } from "./decimal";
import { parseNote } from "./note";
import { NoteError, quote } from "./note-error";

export type AddCheckpoint = { oldSize: number; proof: Uint8Array[]; note: string };

const HASH_LENGTH = 32;
// A consistency proof in a tree of at most 2^63 leaves has at most 63 hashes.
const MAX_PROOF_HASHES = 63;

function assertRequest({ oldSize, proof }: { oldSize: number; proof: Uint8Array[] }): void {
  if (!Number.isSafeInteger(oldSize) || oldSize < 0) {
    throw new NoteError(`old size must be a whole number, got ${oldSize}`);
  }
  if (proof.length > MAX_PROOF_HASHES) {
    throw new NoteError(
      `a consistency proof has at most ${MAX_PROOF_HASHES} hashes, got ${proof.length}`,
    );
  }
  if (oldSize === 0 && proof.length > 0)
    throw new NoteError("the proof must be empty when the old size is 0");
  if (proof.some((hash) => hash.length !== HASH_LENGTH)) {
    throw new NoteError(`every proof hash must be ${HASH_LENGTH} bytes`);
  }
}

export function formatAddCheckpoint(request: AddCheckpoint): string {
  assertRequest(request);
  parseNote(request.note);
  const proof = request.proof.map((hash) => `${encodeBase64(hash)}\n`).join("");
  return `old ${request.oldSize}\n${proof}\n${request.note}`;
}

function parseProofLine(line: string, at: number): Uint8Array {
  try {
    return decodeBase64(line);
  } catch (error) {
    throw new NoteError(`add-checkpoint proof line ${at}: ${(error as Error).message}`);
  }
}

/** Parses a request body strictly; the note is checked for form, not for signatures. */
export function parseAddCheckpoint(body: string): AddCheckpoint {
  const lines = body.split("\n");
  const oldMatch = /^old (.*)$/.exec(lines[0] ?? "");
  const oldSize = oldMatch ? parseDecimal(oldMatch[1] ?? "") : null;
  if (oldSize === null) {
    throw new NoteError('an add-checkpoint body starts with "old <size>", the size in decimal');
  }
  const blank = lines.indexOf("", 1);
  if (blank < 0 || blank === lines.length - 1) {
    throw new NoteError("an add-checkpoint body has a blank line, then the signed checkpoint");
  }
  if (blank - 1 > MAX_PROOF_HASHES) {
    throw new NoteError(
      `a consistency proof has at most ${MAX_PROOF_HASHES} hashes, got ${blank - 1}`,
    );
  }
  const proof = lines.slice(1, blank).map((line, i) => parseProofLine(line, i + 1));
  assertRequest({ oldSize, proof });
  const note = lines.slice(blank + 1).join("\n");
  parseNote(note);
  return { oldSize, proof, note };
}

/** The size in a 409 text/x.tlog.size answer: "<size>\n". */
export function parseSizeConflict(body: string): number {
  const size = body.endsWith("\n") ? parseDecimal(body.slice(0, -1)) : null;
  if (size === null) {
    throw new NoteError(`a size-conflict answer is "<size>\\n" in decimal, got ${quote(body)}`);
  }
  return size;
}
