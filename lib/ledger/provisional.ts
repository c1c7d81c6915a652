/**
 * Provisional receipts: what a player holds between the claim and the anchoring of its entry. The
 * operator signs a promise to anchor the entry by a deadline with a key it publishes as a receipt
 * signer and whose address holds the trusted contract's receipt-signer role, so anyone can check
 * who promised, and a promise broken past its deadline is evidence against the operator.
 * Isomorphic: runs in the browser and in Node.
 */
import { type AbstractProvider, Contract, id, verifyMessage } from "ethers";
import { z } from "zod";
import { LEDGER_ABI } from "./contract";
import { checkTrust, type TrustFailure, type TrustRoot } from "./identity";
import { decodeLeaf, describeLeaf, playerCommitment } from "./leaf";
import {
  fromHex,
  type Hash,
  inclusionRanges,
  leafHash,
  MemoryLog,
  rootFromInclusion,
  toHex,
} from "./merkle";
import { classifyNodeFailure, noContractDetail } from "./node-errors";
import { readChainId } from "./receipt";
import { describeIssues } from "./schema-issues";

/** keccak256("RECEIPT_SIGNER_ROLE"): granted by the contract's admin to the signing key. */
export const RECEIPT_SIGNER_ROLE = id("RECEIPT_SIGNER_ROLE");

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected 0x and 64 hex digits");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected an address");

/**
 * The largest signing batch a verifier accepts. The operator's are far smaller; the bound caps
 * what a hostile receipt can make a verifier hash (a path of at most 20 nodes).
 */
export const MAX_PROMISE_BATCH = 2 ** 20;

const promiseBatchSchema = z
  .object({
    size: z
      .number()
      .int()
      .min(1)
      .max(MAX_PROMISE_BATCH)
      .meta({ description: "how many promises the one signature covers" }),
    index: z
      .number()
      .int()
      .nonnegative()
      .max(MAX_PROMISE_BATCH - 1)
      .meta({ description: "this promise's zero-based place in the batch (below size)" }),
    path: z.array(hex32).max(Math.log2(MAX_PROMISE_BATCH)).meta({
      description: "RFC 6962 audit path from this promise's batch leaf to the batch root",
    }),
  })
  .meta({
    description:
      "the batch whose Merkle root the operator signed (see docs/receipt.md); absent in receipts signed one by one",
  });
type PromiseBatch = z.infer<typeof promiseBatchSchema>;

export const provisionalReceiptSchema = z.object({
  version: z.literal(1),
  status: z.literal("pending"),
  leaf: z.object({
    index: z.number().int().nonnegative().nullable(),
    data: z
      .string()
      .regex(/^0x(?:[0-9a-fA-F]{2})*$/, "expected hex bytes")
      .max(2050),
    salt: hex32,
    playerId: z.uuid(),
  }),
  promise: z.object({
    chainId: z.number().int().positive(),
    contract: address,
    /** Unix seconds by which a checkpoint covering this entry will be on chain. */
    anchorBy: z.number().int().positive(),
    batch: promiseBatchSchema.optional(),
    signer: address,
    signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "expected a 65-byte signature"),
  }),
});
export type ProvisionalReceipt = z.infer<typeof provisionalReceiptSchema>;
export type ProvisionalPromise = ProvisionalReceipt["promise"];

/** The exact text the operator signed for one receipt alone (EIP-191 personal message). */
export function promiseMessage(p: {
  chainId: number;
  contract: string;
  leafHash: string;
  anchorBy: number;
}): string {
  return [
    "Prizeledger provisional receipt v1",
    `chain: ${p.chainId}`,
    `contract: ${p.contract.toLowerCase()}`,
    `leaf hash: ${p.leafHash.toLowerCase()}`,
    `anchor by: ${p.anchorBy}`,
  ].join("\n");
}

/**
 * A promise's leaf in its signing batch: SHA256(0x00 ‖ ledger leaf hash ‖ anchorBy as a uint64,
 * big-endian). Each promise keeps its own deadline under the one signature, and the 0x00 prefix
 * (interior nodes take 0x01) keeps a batch leaf from passing for a node.
 */
export function promiseLeafHash(ledgerLeafHash: Hash, anchorBy: number): Hash {
  if (!Number.isSafeInteger(anchorBy) || anchorBy < 0) {
    throw new RangeError(`anchorBy must be a whole number of seconds, got ${anchorBy}`);
  }
  const bytes = new Uint8Array(40);
  bytes.set(ledgerLeafHash);
  new DataView(bytes.buffer).setBigUint64(32, BigInt(anchorBy));
  return leafHash(bytes);
}

/** The exact text the operator signs for a batch of promises (EIP-191 personal message). */
export function batchPromiseMessage(p: {
  chainId: number;
  contract: string;
  root: string;
  size: number;
}): string {
  return [
    "Prizeledger provisional receipts v2",
    `chain: ${p.chainId}`,
    `contract: ${p.contract.toLowerCase()}`,
    `batch root: ${p.root.toLowerCase()}`,
    `batch size: ${p.size}`,
  ].join("\n");
}

/**
 * The RFC 6962 tree over a batch of promises, given their batch leaves (`promiseLeafHash`) in
 * batch order: the root to sign, and each promise's place and audit path in it.
 */
export function promiseBatch(batchLeaves: Hash[]): { root: string; batches: PromiseBatch[] } {
  const tree = new MemoryLog();
  tree.appendLeafHashes(batchLeaves);
  return {
    root: toHex(tree.root()),
    batches: batchLeaves.map((_, index) => ({
      size: tree.size,
      index,
      path: tree.inclusionProof(index).map(toHex),
    })),
  };
}

/**
 * The message a promise's signature must recover its signer from: the batch's (with the root its
 * path leads to), or the one-receipt message for a receipt signed alone. A string when the batch
 * is no batch at all (a place outside it, or a path of the wrong length), checked before any
 * hashing.
 */
function signedMessage(
  promise: ProvisionalPromise,
  ledgerLeafHash: Hash,
): { message: string } | { problem: string } {
  const { batch } = promise;
  if (!batch) return { message: promiseMessage({ ...promise, leafHash: toHex(ledgerLeafHash) }) };
  if (batch.index >= batch.size) {
    return { problem: `Batch place ${batch.index} is not below the batch size ${batch.size}.` };
  }
  const needed = inclusionRanges(batch.index, batch.size).length;
  if (batch.path.length !== needed) {
    return {
      problem: `Place ${batch.index} in a batch of ${batch.size} has a path of ${needed} hashes, not ${batch.path.length}.`,
    };
  }
  const root = rootFromInclusion(
    promiseLeafHash(ledgerLeafHash, promise.anchorBy),
    batch.index,
    batch.size,
    batch.path.map(fromHex),
  );
  if (!root) return { problem: "The batch path does not lead to a root." };
  return { message: batchPromiseMessage({ ...promise, root: toHex(root), size: batch.size }) };
}

export type ProvisionalStep = {
  id: string;
  label: string;
  ok: boolean;
  detail: string;
  code?: TrustFailure;
};

export type ProvisionalResult = { ok: boolean; steps: ProvisionalStep[]; reason?: TrustFailure };

/**
 * Checks a provisional receipt against the `trust`ed ledger: that it names that ledger and one of
 * its signers (first: otherwise nothing else is checked), the leaf and the player commitment, the
 * signature, the signer's role on the trusted contract, and whether the promised deadline has
 * passed (then the receipt is evidence of a broken promise unless the entry was anchored: verify
 * the anchored receipt).
 */
export async function verifyProvisionalReceipt(
  input: unknown,
  provider: AbstractProvider,
  trust: TrustRoot,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<ProvisionalResult> {
  const steps: ProvisionalStep[] = [];
  const add = (id: string, label: string, ok: boolean, detail: string, code?: TrustFailure) =>
    steps.push({ id, label, ok, detail, ...(code && { code }) });
  const parsed = provisionalReceiptSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    add(
      "format",
      "Receipt format",
      false,
      `Not a version 1 provisional receipt. ${describeIssues(parsed.error.issues)}`,
    );
    return { ok: false, steps };
  }
  const { leaf, promise } = parsed.data;
  add(
    "format",
    "Receipt format",
    true,
    promise.batch
      ? "Version 1 provisional receipt, its promise signed in a batch."
      : "Version 1 provisional receipt, its promise signed alone.",
  );

  const trusted = checkTrust(promise, trust);
  if (!trusted.ok) {
    add("identity", "Trusted ledger", false, trusted.detail, trusted.code);
    return { ok: false, steps, reason: trusted.code };
  }
  add("identity", "Trusted ledger", true, trusted.detail);

  let hash: Hash | undefined;
  try {
    const data = fromHex(leaf.data);
    const entry = decodeLeaf(data);
    const commitment = toHex(playerCommitment(leaf.playerId, fromHex(leaf.salt)));
    const matches = commitment === toHex(entry.playerCommitment);
    add(
      "leaf",
      "Ledger entry and player commitment",
      matches,
      matches
        ? describeLeaf(entry)
        : "The salt and player id do not give the entry's player commitment.",
    );
    hash = leafHash(data);
  } catch (error) {
    add("leaf", "Ledger entry and player commitment", false, (error as Error).message);
  }

  add("signature", "Operator's signature", ...checkSignature(promise, hash));

  let reason: TrustFailure | undefined;
  try {
    const chainId = await readChainId(provider);
    if (chainId !== BigInt(trust.chainId)) {
      add(
        "signer",
        "Signer authorised on chain",
        false,
        `The node is on chain ${chainId}, the trusted ledger on chain ${trust.chainId}.`,
      );
    } else if ((await provider.getCode(trust.contract)) === "0x") {
      add(
        "signer",
        "Signer authorised on chain",
        false,
        noContractDetail(trust.contract, trust.chainId),
      );
    } else {
      const contract = new Contract(trust.contract, LEDGER_ABI, provider);
      const hasRole = (await contract.getFunction("hasRole")(
        RECEIPT_SIGNER_ROLE,
        promise.signer,
      )) as boolean;
      // A signer the operator published but has since revoked on chain is no longer trusted.
      if (!hasRole) reason = "untrusted_signer";
      add(
        "signer",
        "Signer authorised on chain",
        hasRole,
        hasRole
          ? `${promise.signer} holds the receipt-signer role on ${trust.contract}.`
          : `${promise.signer} does not hold the receipt-signer role on ${trust.contract}.`,
        reason,
      );
    }
  } catch (error) {
    add(
      "signer",
      "Signer authorised on chain",
      false,
      `The chain node could not be asked: ${classifyNodeFailure(error).detail}.`,
    );
  }

  const due = new Date(promise.anchorBy * 1000).toISOString();
  const kept = nowSeconds <= promise.anchorBy;
  add(
    "deadline",
    "Anchoring promise",
    kept,
    kept
      ? `The operator promises to anchor this entry by ${due}; fetch the anchored receipt then.`
      : `The deadline ${due} has passed: unless an anchored receipt exists for this entry, this signed receipt is evidence of a broken promise.`,
  );
  return { ok: steps.every((s) => s.ok), steps, ...(reason && { reason }) };
}

/** Whether the promise's signature recovers its signer, and what to tell of it. */
function checkSignature(promise: ProvisionalPromise, hash: Hash | undefined): [boolean, string] {
  if (!hash)
    return [false, "Without a readable ledger entry there is nothing the signature covers."];
  const signed = signedMessage(promise, hash);
  if ("problem" in signed) return [false, signed.problem];
  let signer = "";
  try {
    signer = verifyMessage(signed.message, promise.signature);
  } catch {
    // a signature that recovers no key is reported as not matching
  }
  const { batch } = promise;
  if (signer.toLowerCase() !== promise.signer.toLowerCase()) {
    return [
      false,
      batch
        ? `The signature does not match this receipt, its batch path and signer (batch of ${batch.size}).`
        : "The signature does not match this receipt and signer.",
    ];
  }
  return [
    true,
    batch
      ? `Signed by ${promise.signer}, over the root of a batch of ${batch.size} (this receipt at place ${batch.index}).`
      : `Signed by ${promise.signer}.`,
  ];
}
