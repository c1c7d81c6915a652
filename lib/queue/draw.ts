/**
 * The waiting room's draw in the ledger: pure and isomorphic like the shuffle, so the worker that
 * appends the entry, the browser and `npm run queue:replay` compute the same digests.
 *
 * At the draw, in the transaction that reveals the seed, the worker appends a `queue_draw` leaf
 * (lib/ledger/leaf.ts kind 7) fixing the pre-queue it drew (how many places, and a digest of
 * their sorted pseudonyms) and what it drew with (the seed hash and the drawn order's digest).
 * Once the leaf is anchored, adding, dropping or backdating an entry afterwards changes the
 * published list but not the leaf: the replay catches it. docs/waiting-room.md states the bytes.
 */
import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from "@noble/hashes/utils";
import { decodeLeaf, type QueueDrawLeaf } from "@/lib/ledger/leaf";
import { fromHex, leafHash, rootFromInclusion, toHex } from "@/lib/ledger/merkle";
import type { QueueProof } from "./model";

const ENTRIES_DOMAIN = utf8ToBytes("prizeledger/queue-entries/v1");
const ORDER_DOMAIN = utf8ToBytes("prizeledger/queue-order/v1");
const DRAW_DOMAIN = utf8ToBytes("prizeledger/queue-draw/v1");

/** SHA-256(domain ‖ each pseudonym's 32 bytes, in the order given). */
function listDigest(domain: Uint8Array, pseudonyms: readonly string[]): Uint8Array {
  return sha256(concatBytes(domain, ...pseudonyms.map((p) => hexToBytes(p))));
}

/**
 * The pre-queue's digest: SHA-256("prizeledger/queue-entries/v1" ‖ the pseudonyms' bytes,
 * sorted ascending), so it does not depend on the order the list is read in.
 */
export function preQueueDigest(pseudonyms: readonly string[]): Uint8Array {
  return listDigest(ENTRIES_DOMAIN, [...pseudonyms].sort());
}

/** The drawn order's digest: SHA-256("prizeledger/queue-order/v1" ‖ pseudonyms by position). */
export function orderDigest(order: readonly string[]): Uint8Array {
  return listDigest(ORDER_DOMAIN, order);
}

/** SHA-256("prizeledger/queue-draw/v1" ‖ seed hash's 32 bytes ‖ drawn order's digest). */
export function drawDigest(seedHash: string, order: readonly string[]): Uint8Array {
  return sha256(concatBytes(DRAW_DOMAIN, hexToBytes(seedHash), orderDigest(order)));
}

/** The ledger entry of a drop's draw: its pre-queue, seed hash and drawn order. */
export function queueDrawLeaf(draw: {
  dropId: string;
  seedHash: string;
  order: readonly string[];
  timeMs: number;
}): QueueDrawLeaf {
  const digest = drawDigest(draw.seedHash, draw.order);
  return {
    kind: "queue_draw",
    entryId: draw.dropId.toLowerCase(),
    timeMs: draw.timeMs,
    preQueueDigest: preQueueDigest(draw.order),
    count: draw.order.length,
    drawDigest: digest,
    playerCommitment: digest,
  };
}

export type DrawCheck = { label: string; ok: boolean; detail: string };

function decodeDraw(hex: string): QueueDrawLeaf | string {
  try {
    const entry = decodeLeaf(fromHex(hex));
    return entry.kind === "queue_draw" ? entry : `the leaf is a ${entry.kind} entry, not a draw`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * What the proof's ledger entry says against the published proof: the same drop, the same
 * pre-queue (count and digest: an entry added, dropped or backdated since shows here), and the
 * same seed hash and drawn order.
 */
export function checkDrawEntry(proof: QueueProof, preQueue: readonly string[]): DrawCheck[] {
  try {
    return drawEntryChecks(proof, preQueue);
  } catch (error) {
    // A malformed seed hash or pseudonym in a hostile proof: a failed check, not a crash.
    const detail = error instanceof Error ? error.message : String(error);
    return [{ label: "Entries fixed in the ledger", ok: false, detail }];
  }
}

function drawEntryChecks(proof: QueueProof, preQueue: readonly string[]): DrawCheck[] {
  const label = "Entries fixed in the ledger";
  if (!proof.draw) {
    return [
      {
        label,
        ok: false,
        detail:
          "the proof carries no ledger entry for the draw, so the list could have changed once the seed was known (rooms drawn before draws were logged have none)",
      },
    ];
  }
  const leaf = decodeDraw(proof.draw.leaf);
  if (typeof leaf === "string") return [{ label, ok: false, detail: leaf }];
  if (leaf.entryId !== proof.dropId.toLowerCase()) {
    return [{ label, ok: false, detail: `the entry is the draw of drop ${leaf.entryId}` }];
  }
  const digest = bytesToHex(preQueueDigest(preQueue));
  const listed = bytesToHex(leaf.preQueueDigest);
  const entries: DrawCheck = {
    label,
    ok: leaf.count === preQueue.length && digest === listed,
    detail:
      leaf.count !== preQueue.length
        ? `the ledger fixed ${leaf.count} pre-queue place(s), the proof lists ${preQueue.length}: an entry was added, dropped or backdated`
        : digest !== listed
          ? `the pre-queue's digest is ${digest}, the ledger fixed ${listed}: an entry was changed`
          : `${leaf.count} pre-queue place(s), digest ${digest}`,
  };
  const drawn = (proof.order ?? []).slice(0, leaf.count);
  const order = bytesToHex(drawDigest(proof.seedHash, drawn));
  const fixed = bytesToHex(leaf.drawDigest);
  return [
    entries,
    {
      label: "Seed and order fixed in the ledger",
      ok: order === fixed,
      detail:
        order === fixed
          ? `draw digest ${fixed}`
          : `the seed hash and published order give ${order}, the ledger fixed ${fixed}`,
    },
  ];
}

/** A leaf as `GET /api/v1/ledger/entries/{index}` gives it (the fields this check reads). */
export type LoggedLeaf = {
  data: string;
  leafHash: string;
  inclusion: { treeSize: number; rootHash: string; auditPath: string[] } | null;
  anchor: { txHash: string | null; blockNumber: number | null } | null;
};

/** How to check, against the chain, the anchoring the log check below takes from the site. */
export const ANCHOR_CHECK_HINT =
  "The root and its anchoring above are as the site reports them. To check them on chain, run npm run audit -- --url <site> --contract <ledger contract> --chain-id <id> --rpc <node>: it compares every checkpoint with the contract's checkpointAt.";

/**
 * That the public log holds the proof's draw entry at its index, and whether a checkpoint the
 * site reports anchored covers it (its inclusion proof leads to the checkpoint's root). The root
 * comes from the same site: that it is on chain is for `npm run audit` with the contract.
 */
export function checkDrawLogged(proof: QueueProof, logged: LoggedLeaf | undefined): DrawCheck {
  try {
    return drawLoggedCheck(proof, logged);
  } catch (error) {
    // Malformed hex from a hostile site: a failed check, not a crash.
    const detail = error instanceof Error ? error.message : String(error);
    return { label: "Draw entry in the public log", ok: false, detail };
  }
}

function drawLoggedCheck(proof: QueueProof, logged: LoggedLeaf | undefined): DrawCheck {
  const label = "Draw entry in the public log";
  const draw = proof.draw;
  if (!draw) return { label, ok: false, detail: "the proof carries no ledger entry" };
  if (draw.leafIndex === null) {
    return {
      label,
      ok: false,
      detail: "not numbered in the log yet (the sequencer takes seconds)",
    };
  }
  if (!logged) return { label, ok: false, detail: `the log has no leaf ${draw.leafIndex}` };
  if (logged.data.toLowerCase() !== draw.leaf.toLowerCase()) {
    return { label, ok: false, detail: `leaf ${draw.leafIndex} of the log holds other bytes` };
  }
  const hash = leafHash(fromHex(logged.data));
  // Neither outcome below reads the chain: the root and the anchoring are the site's report.
  if (!logged.inclusion) {
    return {
      label,
      ok: true,
      detail: `leaf ${draw.leafIndex}, NOT anchored yet: until a checkpoint covers it, the draw rests on the site's word`,
    };
  }
  const { treeSize, rootHash, auditPath } = logged.inclusion;
  const root = rootFromInclusion(hash, draw.leafIndex, treeSize, auditPath.map(fromHex));
  const included = root !== undefined && toHex(root) === rootHash.toLowerCase();
  return {
    label,
    ok: included,
    detail: included
      ? `leaf ${draw.leafIndex}, included in the checkpoint of ${treeSize} leaves (root ${rootHash}) that the site reports anchored${logged.anchor?.txHash ? ` by ${logged.anchor.txHash}` : ""}; not checked on chain here`
      : `leaf ${draw.leafIndex}'s inclusion proof does not lead to root ${rootHash}`,
  };
}
