import { describe, expect, it } from "vitest";
import {
  appendNodes,
  consistencyRanges,
  EMPTY_ROOT,
  fromHex,
  type Hash,
  inclusionRanges,
  leafHash,
  MemoryLog,
  type NodeId,
  nodeHash,
  rangeHash,
  rangeNodes,
  rootFromInclusion,
  rootOf,
  toHex,
  verifyConsistency,
  verifyInclusion,
} from "./merkle";

// Published RFC 6962 test data (Certificate Transparency reference tests, as kept in
// transparency-dev/merkle testonly and proof tests).
const LEAVES = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map(fromHex);

const ROOTS = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

const LEAF_HASHES = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
  "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
  "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
  "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
  "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
  "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
  "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
];

const INCLUSION_VECTORS: Array<{ index: number; size: number; path: string[] }> = [
  { index: 0, size: 1, path: [] },
  { index: 1, size: 2, path: ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"] },
  {
    index: 0,
    size: 8,
    path: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  { index: 2, size: 3, path: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
  {
    index: 1,
    size: 5,
    path: [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];

const CONSISTENCY_VECTORS: Array<{ oldSize: number; newSize: number; proof: string[] }> = [
  { oldSize: 1, newSize: 1, proof: [] },
  {
    oldSize: 1,
    newSize: 8,
    proof: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    oldSize: 6,
    newSize: 8,
    proof: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  {
    oldSize: 2,
    newSize: 5,
    proof: [
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];

const hexes = (hashes: Hash[]) => hashes.map((h) => toHex(h).slice(2));

function vectorLog(): MemoryLog {
  const log = new MemoryLog();
  for (const leaf of LEAVES) log.append(leaf);
  return log;
}

// Straight transcription of the RFC 6962 section 2.1 definitions, used as the oracle.
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function naiveRoot(leaves: Hash[]): Hash {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0] as Hash;
  const k = splitPoint(leaves.length);
  return nodeHash(naiveRoot(leaves.slice(0, k)), naiveRoot(leaves.slice(k)));
}

function naivePath(m: number, leaves: Hash[]): Hash[] {
  if (leaves.length <= 1) return [];
  const k = splitPoint(leaves.length);
  return m < k
    ? [...naivePath(m, leaves.slice(0, k)), naiveRoot(leaves.slice(k))]
    : [...naivePath(m - k, leaves.slice(k)), naiveRoot(leaves.slice(0, k))];
}

function naiveSubproof(m: number, leaves: Hash[], complete: boolean): Hash[] {
  const n = leaves.length;
  if (m === n) return complete ? [] : [naiveRoot(leaves)];
  const k = splitPoint(n);
  return m <= k
    ? [...naiveSubproof(m, leaves.slice(0, k), complete), naiveRoot(leaves.slice(k))]
    : [...naiveSubproof(m - k, leaves.slice(k), false), naiveRoot(leaves.slice(0, k))];
}

function flipByte(hash: Hash, at = 0): Hash {
  const copy = hash.slice();
  copy[at] = (copy[at] as number) ^ 0x01;
  return copy;
}

describe("RFC 6962 test vectors", () => {
  it("hashes the empty tree and the leaves", () => {
    expect(toHex(EMPTY_ROOT).slice(2)).toBe(ROOTS[0]);
    expect(LEAVES.map((leaf) => toHex(leafHash(leaf)).slice(2))).toEqual(LEAF_HASHES);
  });

  it("computes the roots of sizes 0 to 8", () => {
    const hashes = LEAVES.map(leafHash);
    const log = vectorLog();
    for (let size = 0; size <= 8; size++) {
      expect(toHex(rootOf(hashes.slice(0, size))).slice(2)).toBe(ROOTS[size]);
      expect(toHex(log.root(size)).slice(2)).toBe(ROOTS[size]);
    }
  });

  it("produces and verifies the published inclusion proofs", () => {
    const log = vectorLog();
    for (const { index, size, path } of INCLUSION_VECTORS) {
      const proof = log.inclusionProof(index, size);
      expect(hexes(proof)).toEqual(path);
      const leaf = leafHash(LEAVES[index] as Uint8Array);
      expect(verifyInclusion(leaf, index, size, proof, fromHex(ROOTS[size] as string))).toBe(true);
    }
  });

  it("produces and verifies the published consistency proofs", () => {
    const log = vectorLog();
    for (const { oldSize, newSize, proof: expected } of CONSISTENCY_VECTORS) {
      const proof = log.consistencyProof(oldSize, newSize);
      expect(hexes(proof)).toEqual(expected);
      const oldRoot = fromHex(ROOTS[oldSize] as string);
      const newRoot = fromHex(ROOTS[newSize] as string);
      expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof)).toBe(true);
    }
  });
});

describe("MemoryLog against the RFC definitions, sizes 1 to 70", () => {
  const leaves = Array.from({ length: 70 }, (_, i) =>
    leafHash(new TextEncoder().encode(`leaf ${i}`)),
  );
  const log = new MemoryLog();
  log.appendLeafHashes(leaves);
  const roots = Array.from({ length: 71 }, (_, size) => naiveRoot(leaves.slice(0, size)));

  it("matches the naive roots", () => {
    for (let size = 0; size <= 70; size++) {
      expect(log.root(size)).toEqual(roots[size]);
      expect(rootOf(leaves.slice(0, size))).toEqual(roots[size]);
    }
  });

  // A proof binds a leaf to a (size, root) pair; a root alone can sometimes be reached with the
  // same path under a neighbouring size, which is why verifiers take the size from a checkpoint.
  it("produces inclusion proofs that verify, and only for the right leaf, index and root", () => {
    for (let size = 1; size <= 70; size++) {
      const root = roots[size] as Hash;
      for (let index = 0; index < size; index++) {
        const leaf = leaves[index] as Hash;
        const proof = log.inclusionProof(index, size);
        expect(proof).toEqual(naivePath(index, leaves.slice(0, size)));
        expect(verifyInclusion(leaf, index, size, proof, root)).toBe(true);

        expect(verifyInclusion(flipByte(leaf), index, size, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, index, size, proof, flipByte(root, 31))).toBe(false);
        for (let i = 0; i < proof.length; i++) {
          const tampered = proof.map((p, j) => (j === i ? flipByte(p, i % 32) : p));
          expect(verifyInclusion(leaf, index, size, tampered, root)).toBe(false);
        }
        if (size > 1) {
          expect(verifyInclusion(leaf, (index + 1) % size, size, proof, root)).toBe(false);
        }
        expect(verifyInclusion(leaf, index, size, [...proof, leaf], root)).toBe(false);
        if (proof.length > 0) {
          expect(verifyInclusion(leaf, index, size, proof.slice(0, -1), root)).toBe(false);
        }
      }
    }
  });

  it("leads an inclusion proof to its root, and nowhere with a path of the wrong length", () => {
    for (let size = 1; size <= 20; size++) {
      for (let index = 0; index < size; index++) {
        const leaf = leaves[index] as Hash;
        const proof = log.inclusionProof(index, size);
        expect(rootFromInclusion(leaf, index, size, proof)).toEqual(roots[size]);
        expect(rootFromInclusion(leaf, index, size, [...proof, leaf])).toBeUndefined();
        if (proof.length > 0) {
          expect(rootFromInclusion(leaf, index, size, proof.slice(1))).toBeUndefined();
        }
      }
      expect(rootFromInclusion(leaves[0] as Hash, size, size, [])).toBeUndefined();
    }
  });

  it("produces consistency proofs that verify, and only for the right roots", () => {
    for (let newSize = 1; newSize <= 70; newSize++) {
      const newRoot = roots[newSize] as Hash;
      for (let oldSize = 1; oldSize <= newSize; oldSize++) {
        const oldRoot = roots[oldSize] as Hash;
        const proof = log.consistencyProof(oldSize, newSize);
        expect(proof).toEqual(naiveSubproof(oldSize, leaves.slice(0, newSize), true));
        expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof)).toBe(true);

        expect(verifyConsistency(oldSize, newSize, flipByte(oldRoot), newRoot, proof)).toBe(false);
        expect(verifyConsistency(oldSize, newSize, oldRoot, flipByte(newRoot), proof)).toBe(false);
        for (let i = 0; i < proof.length; i++) {
          const tampered = proof.map((p, j) => (j === i ? flipByte(p, 7) : p));
          expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, tampered)).toBe(false);
        }
        if (proof.length > 0) {
          expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof.slice(0, -1))).toBe(
            false,
          );
        }
        expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, [...proof, newRoot])).toBe(
          false,
        );
        if (oldSize > 1) {
          const smaller = roots[oldSize - 1] as Hash;
          expect(verifyConsistency(oldSize - 1, newSize, smaller, newRoot, proof)).toBe(false);
        }
      }
    }
  });

  it("treats an empty old tree as consistent with anything, given an empty proof", () => {
    expect(verifyConsistency(0, 5, EMPTY_ROOT, roots[5] as Hash, [])).toBe(true);
    expect(verifyConsistency(0, 5, EMPTY_ROOT, roots[5] as Hash, [roots[5] as Hash])).toBe(false);
    expect(verifyConsistency(5, 4, roots[5] as Hash, roots[4] as Hash, [])).toBe(false);
  });
});

describe("range decomposition", () => {
  it("splits a range into aligned perfect subtrees, largest first", () => {
    expect(rangeNodes(0, 7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(rangeNodes(8, 11)).toEqual([
      { level: 1, index: 4 },
      { level: 0, index: 10 },
    ]);
    expect(rangeNodes(16, 32)).toEqual([{ level: 4, index: 1 }]);
    expect(() => rangeNodes(1, 3)).toThrow(RangeError);
    expect(() => rangeNodes(3, 3)).toThrow(RangeError);
  });

  it("lists audit path and consistency ranges in RFC order", () => {
    expect(inclusionRanges(5, 8)).toEqual([
      [4, 5],
      [6, 8],
      [0, 4],
    ]);
    expect(consistencyRanges(6, 8)).toEqual([
      [4, 6],
      [6, 8],
      [0, 4],
    ]);
    expect(consistencyRanges(4, 8)).toEqual([[4, 8]]);
    expect(consistencyRanges(8, 8)).toEqual([]);
    expect(() => consistencyRanges(0, 8)).toThrow(RangeError);
    expect(() => inclusionRanges(8, 8)).toThrow(RangeError);
  });

  it("hashes a range from stored nodes", () => {
    const leaves = Array.from({ length: 13 }, (_, i) => leafHash(Uint8Array.of(i)));
    const store = new Map<string, Hash>();
    for (const { id, hash } of appendNodes(0, leaves, () => {
      throw new Error("empty log has no nodes");
    })) {
      store.set(`${id.level}/${id.index}`, hash);
    }
    const get = (id: NodeId) => store.get(`${id.level}/${id.index}`) as Hash;
    expect(rangeHash(0, 13, get)).toEqual(naiveRoot(leaves));
    expect(rangeHash(8, 13, get)).toEqual(naiveRoot(leaves.slice(8, 13)));
    expect(rangeHash(12, 13, get)).toEqual(leaves[12]);
  });
});

describe("appendNodes", () => {
  it("yields the same roots as rootOf when appending in random batches", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const store = new Map<string, Hash>();
    const get = (id: NodeId) => {
      const hash = store.get(`${id.level}/${id.index}`);
      if (hash === undefined) throw new Error(`missing node ${id.level}/${id.index}`);
      return hash;
    };
    const all: Hash[] = [];
    let size = 0;
    while (size < 600) {
      const batch = Array.from({ length: Math.floor(random() * 40) }, (_, i) =>
        leafHash(new TextEncoder().encode(`entry ${size + i}`)),
      );
      const created = appendNodes(size, batch, get);
      for (const { id, hash } of created) {
        expect(store.has(`${id.level}/${id.index}`)).toBe(false);
        store.set(`${id.level}/${id.index}`, hash);
      }
      all.push(...batch);
      size += batch.length;
      // Every perfect subtree inside [0, size) exists once the batch is stored.
      let expectedNodes = 0;
      for (let width = 1; width <= size; width *= 2) expectedNodes += Math.floor(size / width);
      expect(store.size).toBe(expectedNodes);
      expect(size === 0 ? EMPTY_ROOT : rangeHash(0, size, get)).toEqual(rootOf(all));
    }
  });
});

describe("hex", () => {
  it("round-trips and rejects malformed input", () => {
    const bytes = Uint8Array.of(0, 1, 0xab, 0xff);
    expect(toHex(bytes)).toBe("0x0001abff");
    expect(fromHex("0x0001ABff")).toEqual(bytes);
    expect(fromHex("0001abff")).toEqual(bytes);
    expect(() => fromHex("0x123")).toThrow(TypeError);
    expect(() => fromHex("0xzz")).toThrow(TypeError);
  });
});
