import { bytesToHex } from "@noble/hashes/utils";
import { describe, expect, it } from "vitest";
import { decodeLeaf, encodeLeaf } from "@/lib/ledger/leaf";
import { leafHash, toHex } from "@/lib/ledger/merkle";
import {
  checkDrawEntry,
  checkDrawLogged,
  drawDigest,
  type LoggedLeaf,
  orderDigest,
  preQueueDigest,
  queueDrawLeaf,
} from "./draw";
import type { QueueProof } from "./model";
import {
  expectedOrder,
  placePseudonym,
  QUEUE_ALGORITHM,
  replayQueueProof,
  seedHashOf,
  shufflePreQueue,
} from "./shuffle";

// Known answers computed independently (Python hashlib and struct) from docs/waiting-room.md.
const DROP = "7d3c5a1e-0f4b-4c2d-9a8e-1b2c3d4e5f60";
const PLAYERS = [0, 1, 2, 3].map((i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
const PSEUDONYMS = [
  "611883f689ff34319c9111f40ecdedd926609556a424e5f29851f10dd04f874c",
  "23a6a59e8b6a651d8b138bb5672b476f329b1bab10524054fab36b3d12badaf8",
  "c4e0e9fc74ea64f88d77bfe5aaf21a08788ba53ba977a569478eecbc79895839",
  "8d1ceb0fff61e71e1af1255fcaf7b2db9186d87ce52158d7c1c0a687b32ac07e",
];
const SEED = new Uint8Array(32).fill(7);
const SEED_HASH = "4bb06f8e4e3a7715d201d573d0aa423762e55dabd61a2c02278fa56cc6d294e0";
const ORDER = [0, 1, 3, 2].map((i) => PSEUDONYMS[i] as string);
const PRE_QUEUE_DIGEST = "5cc781634183a2a8598185bf4fe06f4e78870397f9741dd13cb63bad85a6be53";
const ORDER_DIGEST = "403e417b29e07288ad5aa4a73a89b285041952edea85ac89f0630225a99455fd";
const DRAW_DIGEST = "26c6c245bb85b5e00e50e2c53c857f1c5941deecff4c218938f2cded0e306430";
const EMPTY_DIGEST = "937f7a6f2d69d1b9f0231490bbde9be0701fb70173cc6a7f0b75934aec8bcaa0";
const DRAWN_MS = 1767261600000;
const LEAF =
  "0x01077d3c5a1e0f4b4c2d9a8e1b2c3d4e5f605cc781634183a2a8598185bf4fe06f4e78870397f9741dd13cb63bad85a6be53" +
  "00000000000000040000019b78fff90026c6c245bb85b5e00e50e2c53c857f1c5941deecff4c218938f2cded0e306430";
const LEAF_HASH = "0xbae36817d1d99ce1069a915a4e8a2c4bf8c3113e57639aee5b4c81dc22197574";

const saltOf = (i: number) => new Uint8Array(32).fill(i);

describe("the draw's derivations, against known answers", () => {
  it("pseudonyms, the seed hash and the shuffle", () => {
    expect(PLAYERS.map((p, i) => placePseudonym(DROP, p, saltOf(i)))).toEqual(PSEUDONYMS);
    expect(seedHashOf(SEED)).toBe(SEED_HASH);
    expect(shufflePreQueue(SEED, DROP, PSEUDONYMS)).toEqual(ORDER);
  });

  it("the pre-queue digest (in any order), the order's and the draw's", () => {
    expect(bytesToHex(preQueueDigest(PSEUDONYMS))).toBe(PRE_QUEUE_DIGEST);
    expect(bytesToHex(preQueueDigest([...PSEUDONYMS].reverse()))).toBe(PRE_QUEUE_DIGEST);
    expect(bytesToHex(preQueueDigest([]))).toBe(EMPTY_DIGEST);
    expect(bytesToHex(orderDigest(ORDER))).toBe(ORDER_DIGEST);
    expect(bytesToHex(drawDigest(SEED_HASH, ORDER))).toBe(DRAW_DIGEST);
  });

  it("the ledger leaf, kind 7, and its hash", () => {
    const leaf = queueDrawLeaf({
      dropId: DROP,
      seedHash: SEED_HASH,
      order: ORDER,
      timeMs: DRAWN_MS,
    });
    const bytes = encodeLeaf(leaf);
    expect(toHex(bytes)).toBe(LEAF);
    expect(toHex(leafHash(bytes))).toBe(LEAF_HASH);
    expect(decodeLeaf(bytes)).toEqual(leaf);
  });
});

describe("replaying a proof against its ledger entry", () => {
  const startsAt = new Date(DRAWN_MS).toISOString();
  const later = placePseudonym(DROP, "00000000-0000-4000-8000-000000000009", saltOf(9));
  const entries = [
    ...PSEUDONYMS.map((pseudonym, i) => ({
      pseudonym,
      joinedAt: new Date(DRAWN_MS - (10 - i) * 1000).toISOString(),
    })),
    { pseudonym: later, joinedAt: new Date(DRAWN_MS + 5000).toISOString() },
  ];
  const leaf = toHex(
    encodeLeaf(
      queueDrawLeaf({ dropId: DROP, seedHash: SEED_HASH, order: ORDER, timeMs: DRAWN_MS }),
    ),
  );
  const proof: QueueProof = {
    dropId: DROP,
    algorithm: QUEUE_ALGORITHM,
    seedHash: SEED_HASH,
    seed: bytesToHex(SEED),
    startsAt,
    shuffledAt: startsAt,
    entries,
    order: [...ORDER, later],
    draw: { leaf, leafIndex: 3 },
  };
  const failed = (p: QueueProof) =>
    replayQueueProof(p)
      .checks.filter((c) => !c.ok)
      .map((c) => `${c.label}: ${c.detail}`);

  it("holds for the draw as logged", () => {
    expect(failed(proof)).toEqual([]);
  });

  it("catches an entry dropped from the list, with the order drawn again without it", () => {
    const kept = entries.filter((e) => e.pseudonym !== PSEUDONYMS[2]);
    const order = expectedOrder(SEED, DROP, startsAt, kept);
    const problems = failed({ ...proof, entries: kept, order });
    expect(problems).toEqual([
      expect.stringMatching(/Entries fixed in the ledger: the ledger fixed 4 .* the proof lists 3/),
      expect.stringMatching(/Seed and order fixed in the ledger/),
    ]);
  });

  it("catches an entry added to the pre-queue, or one backdated into it", () => {
    const extra = placePseudonym(DROP, "00000000-0000-4000-8000-000000000008", saltOf(8));
    const added = [...entries, { pseudonym: extra, joinedAt: entries[0]?.joinedAt as string }];
    expect(
      failed({ ...proof, entries: added, order: expectedOrder(SEED, DROP, startsAt, added) }),
    ).toContainEqual(expect.stringMatching(/fixed 4 pre-queue place\(s\), the proof lists 5/));
    const backdated = entries.map((e) =>
      e.pseudonym === later ? { ...e, joinedAt: entries[0]?.joinedAt as string } : e,
    );
    expect(
      failed({
        ...proof,
        entries: backdated,
        order: expectedOrder(SEED, DROP, startsAt, backdated),
      }),
    ).toContainEqual(expect.stringMatching(/the proof lists 5/));
  });

  it("catches an entry swapped for another of the same count", () => {
    const extra = placePseudonym(DROP, "00000000-0000-4000-8000-000000000008", saltOf(8));
    const swapped = entries.map((e) =>
      e.pseudonym === PSEUDONYMS[0] ? { ...e, pseudonym: extra } : e,
    );
    expect(
      failed({ ...proof, entries: swapped, order: expectedOrder(SEED, DROP, startsAt, swapped) }),
    ).toContainEqual(expect.stringMatching(/pre-queue's digest is .* an entry was changed/));
  });

  it("catches a wrong digest, another drop's draw, bytes that are no draw, and no entry", () => {
    const wrongDigest = `${leaf.slice(0, -2)}00`;
    expect(failed({ ...proof, draw: { leaf: wrongDigest, leafIndex: 3 } })).toEqual([
      expect.stringMatching(/Seed and order fixed in the ledger: .* the ledger fixed .*00$/),
    ]);
    const otherDrop = `${leaf.slice(0, 6)}00${leaf.slice(8)}`;
    expect(failed({ ...proof, draw: { leaf: otherDrop, leafIndex: 3 } })).toEqual([
      expect.stringMatching(/the draw of drop 003c5a1e/),
    ]);
    const round = `0x0105${leaf.slice(6)}`;
    expect(failed({ ...proof, draw: { leaf: round, leafIndex: 3 } })).toEqual([
      expect.stringMatching(/a round entry, not a draw/),
    ]);
    expect(failed({ ...proof, draw: null })).toEqual([
      expect.stringMatching(/carries no ledger entry/),
    ]);
    const { draw: _, ...old } = proof;
    expect(replayQueueProof(old).ok).toBe(false);
  });

  it("turns a hostile seed hash into a failed check, not a crash", () => {
    expect(checkDrawEntry({ ...proof, seedHash: "zz" }, PSEUDONYMS)).toEqual([
      expect.objectContaining({ ok: false }),
    ]);
  });
});

describe("the draw's leaf in the public log", () => {
  const leaf = LEAF;
  const proof = { draw: { leaf, leafIndex: 0 } } as QueueProof;
  const logged = (over: Partial<LoggedLeaf>): LoggedLeaf => ({
    data: leaf,
    leafHash: LEAF_HASH,
    inclusion: null,
    anchor: null,
    ...over,
  });

  it("holds when the log has the same bytes, and says whether it is anchored", () => {
    expect(checkDrawLogged(proof, logged({}))).toMatchObject({
      ok: true,
      detail: /NOT anchored yet: .* the site's word/,
    });
    // A log of one leaf: its root is the leaf's hash, the audit path empty.
    const anchored = logged({
      inclusion: { treeSize: 1, rootHash: LEAF_HASH, auditPath: [] },
      anchor: { txHash: "0xabc", blockNumber: 5 },
    });
    expect(checkDrawLogged(proof, anchored)).toMatchObject({
      ok: true,
      detail: /the site reports anchored by 0xabc; not checked on chain here/,
    });
  });

  it("fails for other bytes, a wrong root, no leaf, or no index yet", () => {
    expect(checkDrawLogged(proof, logged({ data: `${leaf.slice(0, -2)}00` })).ok).toBe(false);
    const wrongRoot = logged({
      inclusion: { treeSize: 1, rootHash: `0x${"00".repeat(32)}`, auditPath: [] },
    });
    expect(checkDrawLogged(proof, wrongRoot).ok).toBe(false);
    expect(checkDrawLogged(proof, undefined).detail).toMatch(/no leaf 0/);
    expect(checkDrawLogged(proof, logged({ data: "0xzz" })).ok).toBe(false);
    expect(
      checkDrawLogged({ draw: { leaf, leafIndex: null } } as QueueProof, undefined).detail,
    ).toMatch(/not numbered/);
  });
});
