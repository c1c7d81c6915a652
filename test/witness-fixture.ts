import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { utf8ToBytes } from "@noble/hashes/utils";
import { type Hash, MemoryLog } from "@/lib/ledger/merkle";
import { formatCheckpoint } from "@/lib/tlog/checkpoint";
import { formatNote } from "@/lib/tlog/note";
import { generateSignerKey, parseSignerKey, signNote } from "@/lib/tlog/sign";
import { formatAddCheckpoint } from "@/lib/tlog/witness-protocol";
import type { ChainAnchors, ChainRoot } from "@/lib/witness/witness";

export const tempDir = (prefix: string) => mkdtempSync(path.join(tmpdir(), `${prefix}-`));

/** The bytes of leaf i, the same as the Go interop check's ("leaf <i>"). */
export const leafData = (i: number) => utf8ToBytes(`leaf ${i}`);

/**
 * A log as a witness sees it: a tree of deterministic leaves, the log's Ed25519 key named after
 * its origin, and the add-checkpoint bodies it would send.
 */
export function testLog(origin = "log.example/witness-test", leaves = 16) {
  const { skey, vkey } = generateSignerKey(origin, 0x01);
  const signer = parseSignerKey(skey);
  const tree = new MemoryLog();
  for (let i = 0; i < leaves; i++) tree.append(leafData(i));
  const checkpointText = (size: number, root: Hash = tree.root(size)) =>
    formatCheckpoint({ origin, size, rootHash: root });
  /** The signed checkpoint of `size`, with any other signature lines after the log's. */
  const note = (size: number, others: string[] = [], root?: Hash) => {
    const text = checkpointText(size, root);
    return formatNote(text, [signNote(text, signer), ...others]);
  };
  const body = (oldSize: number, size: number, options: { proof?: Hash[]; note?: string } = {}) =>
    formatAddCheckpoint({
      oldSize,
      proof: options.proof ?? (oldSize === 0 ? [] : tree.consistencyProof(oldSize, size)),
      note: options.note ?? note(size),
    });
  return { origin, skey, vkey, signer, tree, checkpointText, note, body };
}

export type TestLog = ReturnType<typeof testLog>;

/** A chain the test writes: the roots it anchored, or no answer at all while `down`. */
export function memoryAnchors(): ChainAnchors & { roots: Map<number, Hash>; down: boolean } {
  const anchors = {
    roots: new Map<number, Hash>(),
    down: false,
    async rootAt(size: number): Promise<ChainRoot> {
      if (anchors.down) return { kind: "unreachable", reason: "connection refused" };
      const root = anchors.roots.get(size);
      return root ? { kind: "anchored", root } : { kind: "absent" };
    },
  };
  return anchors;
}
