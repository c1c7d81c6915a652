/**
 * RFC 6962 / RFC 9162 Merkle log math over SHA-256.
 *
 * Pure and isomorphic (browser and Node). Tree sizes and indexes are plain numbers and may go up
 * to 2^53, so halving and parity use arithmetic rather than 32-bit bitwise operators.
 *
 * Storage model: a log store keeps every *perfect aligned* subtree hash, identified by
 * `{ level, index }` (the subtree covering leaves [index * 2^level, (index + 1) * 2^level)).
 * Such nodes never change once created, so they can be persisted append-only; every root and
 * every proof of the log is a fold over O(log n) of them.
 */
import { sha256 } from "@noble/hashes/sha2";

export type Hash = Uint8Array;
export type NodeId = { level: number; index: number };

const HASH_LENGTH = 32;

// One reusable hasher reset from a pristine one: roughly 20% faster than sha256(bytes), which
// builds a fresh hasher per call, and hashing dominates appends.
const pristine = sha256.create();
const hasher = sha256.create();

function digest(input: Uint8Array): Hash {
  pristine._cloneInto(hasher);
  const out = new Uint8Array(HASH_LENGTH);
  hasher.update(input).digestInto(out);
  return out;
}

const nodeScratch = new Uint8Array(1 + 2 * HASH_LENGTH);
nodeScratch[0] = 0x01;
let leafScratch = new Uint8Array(128);

/** SHA256(0x00 ‖ data). */
export function leafHash(data: Uint8Array): Hash {
  const length = data.length + 1;
  if (leafScratch.length < length) {
    leafScratch = new Uint8Array(Math.max(length, leafScratch.length * 2));
  }
  leafScratch[0] = 0x00;
  leafScratch.set(data, 1);
  return digest(leafScratch.subarray(0, length));
}

/** SHA256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Hash, right: Hash): Hash {
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 1 + HASH_LENGTH);
  return digest(nodeScratch);
}

/** MTH({}) = SHA256(""). */
export const EMPTY_ROOT: Hash = sha256(new Uint8Array(0));

function assertSize(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
  }
}

/** Largest power of two strictly smaller than n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Largest power of two smaller than or equal to n (n >= 1). */
function bitFloor(n: number): number {
  let k = 1;
  while (k * 2 <= n) k *= 2;
  return k;
}

function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

/** MTH over a list of leaf hashes. */
export function rootOf(leafHashes: Hash[]): Hash {
  if (leafHashes.length === 0) return EMPTY_ROOT;
  // Fold leaves into the frontier of perfect subtrees, then fold the frontier right to left,
  // which is exactly the RFC 6962 split at the largest power of two.
  const frontier: Hash[] = [];
  let count = 0;
  for (const leaf of leafHashes) {
    let hash = leaf;
    let level = 0;
    let index = count;
    while (isOdd(index)) {
      hash = nodeHash(frontier[level] as Hash, hash);
      level++;
      index = half(index);
    }
    frontier[level] = hash;
    count++;
  }
  let root: Hash | undefined;
  for (let level = 0, rest = count; rest > 0; level++, rest = half(rest)) {
    if (isOdd(rest)) {
      const node = frontier[level] as Hash;
      root = root === undefined ? node : nodeHash(node, root);
    }
  }
  return root as Hash;
}

/**
 * The perfect aligned subtrees whose fold is MTH(D[start:end]), left to right (sizes strictly
 * decreasing). Only ranges whose MTH is built from aligned subtrees have such a decomposition:
 * `start` must be a multiple of the largest power of two <= end - start. Every range appearing in
 * an RFC 6962 root, audit path or consistency proof satisfies this.
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  assertSize("start", start);
  assertSize("end", end);
  if (end <= start) throw new RangeError(`empty range [${start}, ${end})`);
  if (start % bitFloor(end - start) !== 0) {
    throw new RangeError(`range [${start}, ${end}) is not a Merkle subtree range`);
  }
  const nodes: NodeId[] = [];
  let position = start;
  let rest = end - start;
  while (rest > 0) {
    const width = bitFloor(rest);
    let level = 0;
    for (let w = width; w > 1; w /= 2) level++;
    nodes.push({ level, index: position / width });
    position += width;
    rest -= width;
  }
  return nodes;
}

/** MTH(D[start:end]) from stored perfect nodes. */
export function rangeHash(start: number, end: number, get: (id: NodeId) => Hash): Hash {
  const nodes = rangeNodes(start, end);
  let hash = get(nodes[nodes.length - 1] as NodeId);
  for (let i = nodes.length - 2; i >= 0; i--) hash = nodeHash(get(nodes[i] as NodeId), hash);
  return hash;
}

/** Ranges of the RFC 6962 audit path PATH(index, D[size]), ordered leaf to root. */
export function inclusionRanges(index: number, size: number): Array<[number, number]> {
  assertSize("index", index);
  assertSize("size", size);
  if (index >= size) throw new RangeError(`leaf index ${index} is not below tree size ${size}`);
  const ranges: Array<[number, number]> = [];
  let offset = 0;
  let n = size;
  let m = index;
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      ranges.push([offset + k, offset + n]);
      n = k;
    } else {
      ranges.push([offset, offset + k]);
      offset += k;
      m -= k;
      n -= k;
    }
  }
  return ranges.reverse();
}

/** Ranges of the RFC 6962 consistency proof PROOF(oldSize, D[newSize]), in RFC order. */
export function consistencyRanges(oldSize: number, newSize: number): Array<[number, number]> {
  assertSize("oldSize", oldSize);
  assertSize("newSize", newSize);
  if (oldSize === 0 || oldSize > newSize) {
    throw new RangeError(`no consistency proof from size ${oldSize} to size ${newSize}`);
  }
  const tail: Array<[number, number]> = [];
  let offset = 0;
  let n = newSize;
  let m = oldSize;
  let wholeOldTree = true;
  while (m !== n) {
    const k = splitPoint(n);
    if (m <= k) {
      tail.push([offset + k, offset + n]);
      n = k;
    } else {
      tail.push([offset, offset + k]);
      offset += k;
      m -= k;
      n -= k;
      wholeOldTree = false;
    }
  }
  // When the old tree is a subtree of the new one, the verifier already knows its hash (the old
  // root), so SUBPROOF omits it.
  const head: Array<[number, number]> = wholeOldTree ? [] : [[offset, offset + n]];
  return head.concat(tail.reverse());
}

/**
 * Every perfect node created by appending `newLeafHashes` to a log of `size` leaves, leaves
 * (level 0) included, in creation order. Reads only the O(log size) existing frontier nodes.
 */
export function appendNodes(
  size: number,
  newLeafHashes: Hash[],
  get: (id: NodeId) => Hash,
): Array<{ id: NodeId; hash: Hash }> {
  assertSize("size", size);
  const frontier: Hash[] = [];
  for (let level = 0, rest = size, width = 1; rest > 0; level++, rest = half(rest), width *= 2) {
    if (isOdd(rest)) frontier[level] = get({ level, index: Math.floor(size / width) - 1 });
  }
  const created: Array<{ id: NodeId; hash: Hash }> = [];
  let count = size;
  for (const leaf of newLeafHashes) {
    created.push({ id: { level: 0, index: count }, hash: leaf });
    let hash = leaf;
    let level = 0;
    let index = count;
    while (isOdd(index)) {
      hash = nodeHash(frontier[level] as Hash, hash);
      level++;
      index = half(index);
      created.push({ id: { level, index }, hash });
    }
    frontier[level] = hash;
    count++;
  }
  return created;
}

function equalHashes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

function isHash(value: Uint8Array): boolean {
  return value instanceof Uint8Array && value.length === HASH_LENGTH;
}

function isSize(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * The root an inclusion proof (audit path) leads to from `leaf` at `index` in a tree of `size`:
 * RFC 9162 section 2.1.3.2 up to its final comparison. Undefined when the proof cannot be the
 * path of that place (too short or too long for it, or a hash of the wrong length).
 */
export function rootFromInclusion(
  leaf: Hash,
  index: number,
  size: number,
  proof: Hash[],
): Hash | undefined {
  if (!isSize(index) || !isSize(size) || index >= size) return undefined;
  if (!isHash(leaf) || !proof.every(isHash)) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : undefined;
}

/** RFC 9162 section 2.1.3.2: verify an inclusion proof (audit path). */
export function verifyInclusion(
  leaf: Hash,
  index: number,
  size: number,
  proof: Hash[],
  root: Hash,
): boolean {
  const reached = rootFromInclusion(leaf, index, size, proof);
  return reached !== undefined && isHash(root) && equalHashes(reached, root);
}

/** RFC 9162 section 2.1.4.2: verify a consistency proof between two tree heads. */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Hash,
  newRoot: Hash,
  proof: Hash[],
): boolean {
  if (!isSize(oldSize) || !isSize(newSize) || oldSize > newSize) return false;
  if (!proof.every(isHash)) return false;
  if (oldSize === 0) return proof.length === 0;
  if (!isHash(oldRoot) || !isHash(newRoot)) return false;
  if (oldSize === newSize) return proof.length === 0 && equalHashes(oldRoot, newRoot);
  if (proof.length === 0) return false;
  const path = bitFloor(oldSize) === oldSize ? [oldRoot, ...proof] : proof;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Hash;
  let sr = fr;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Hash;
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalHashes(fr, oldRoot) && equalHashes(sr, newRoot);
}

/** An in-memory log store: perfect nodes kept per level. */
export class MemoryLog {
  readonly #levels: Hash[][] = [];
  #size = 0;

  readonly #get = (id: NodeId): Hash => {
    const hash = this.#levels[id.level]?.[id.index];
    if (hash === undefined) throw new RangeError(`node ${id.level}/${id.index} is not stored`);
    return hash;
  };

  get size(): number {
    return this.#size;
  }

  /** Appends one leaf and returns its index. */
  append(data: Uint8Array): number {
    const index = this.#size;
    this.appendLeafHashes([leafHash(data)]);
    return index;
  }

  appendLeafHashes(hashes: Hash[]): void {
    for (const { id, hash } of appendNodes(this.#size, hashes, this.#get)) {
      let level = this.#levels[id.level];
      if (level === undefined) {
        level = [];
        this.#levels[id.level] = level;
      }
      level[id.index] = hash;
    }
    this.#size += hashes.length;
  }

  root(size: number = this.#size): Hash {
    this.#checkSize(size);
    return size === 0 ? EMPTY_ROOT : rangeHash(0, size, this.#get);
  }

  inclusionProof(index: number, size: number = this.#size): Hash[] {
    this.#checkSize(size);
    return inclusionRanges(index, size).map(([start, end]) => rangeHash(start, end, this.#get));
  }

  consistencyProof(oldSize: number, newSize: number = this.#size): Hash[] {
    this.#checkSize(newSize);
    return consistencyRanges(oldSize, newSize).map(([start, end]) =>
      rangeHash(start, end, this.#get),
    );
  }

  #checkSize(size: number): void {
    assertSize("size", size);
    if (size > this.#size) throw new RangeError(`size ${size} exceeds log size ${this.#size}`);
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** 0x-prefixed lowercase hex. */
export function toHex(bytes: Uint8Array): `0x${string}` {
  let out = "0x";
  for (const byte of bytes) out += HEX[byte];
  return out as `0x${string}`;
}

/** Parses hex with an optional 0x prefix; throws on odd length or non-hex characters. */
export function fromHex(hex: string): Uint8Array {
  const digits = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) {
    throw new TypeError(`invalid hex string: ${hex.length > 80 ? `${hex.slice(0, 80)}…` : hex}`);
  }
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
