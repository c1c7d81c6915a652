/**
 * Provisional receipts: what a player holds between the claim and the anchoring of its entry. The
 * operator signs a promise to anchor the entry by a deadline with a key whose address holds the
 * contract's receipt-signer role, so anyone can check who promised, and a promise broken past its
 * deadline is evidence against the operator. Isomorphic: runs in the browser and in Node.
 */
import { type AbstractProvider, Contract, id, verifyMessage } from "ethers";
import { z } from "zod";
import { LEDGER_ABI } from "./contract";
import { decodeLeaf, playerCommitment } from "./leaf";
import { fromHex, leafHash, toHex } from "./merkle";

/** keccak256("RECEIPT_SIGNER_ROLE"): granted by the contract's admin to the signing key. */
export const RECEIPT_SIGNER_ROLE = id("RECEIPT_SIGNER_ROLE");

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected 0x and 64 hex digits");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected an address");

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
    signer: address,
    signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "expected a 65-byte signature"),
  }),
});
export type ProvisionalReceipt = z.infer<typeof provisionalReceiptSchema>;
export type ProvisionalPromise = ProvisionalReceipt["promise"];

/** The exact text the operator signs (EIP-191 personal message). */
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

export type ProvisionalStep = { id: string; label: string; ok: boolean; detail: string };

/**
 * Checks a provisional receipt: the leaf and the player commitment, the signature, the signer's
 * role on the contract, and whether the promised deadline has passed (then the receipt is
 * evidence of a broken promise unless the entry was anchored: verify the anchored receipt).
 */
export async function verifyProvisionalReceipt(
  input: unknown,
  provider: AbstractProvider,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<{ ok: boolean; steps: ProvisionalStep[] }> {
  const steps: ProvisionalStep[] = [];
  const add = (id: string, label: string, ok: boolean, detail: string) =>
    steps.push({ id, label, ok, detail });
  const parsed = provisionalReceiptSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    add(
      "format",
      "Receipt format",
      false,
      `Not a provisional receipt (${issue?.path.join(".")}: ${issue?.message}).`,
    );
    return { ok: false, steps };
  }
  const { leaf, promise } = parsed.data;
  add("format", "Receipt format", true, "Version 1 provisional receipt.");

  let hash = "";
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
        ? `${entry.kind} ${entry.entryId}, value ${(entry.valueCents / 100).toFixed(2)}`
        : "The salt and player id do not give the entry's player commitment.",
    );
    hash = toHex(leafHash(data));
  } catch (error) {
    add("leaf", "Ledger entry and player commitment", false, (error as Error).message);
  }

  const message = promiseMessage({ ...promise, leafHash: hash });
  let signer = "";
  try {
    signer = verifyMessage(message, promise.signature);
  } catch {
    // reported below
  }
  const signed = hash !== "" && signer.toLowerCase() === promise.signer.toLowerCase();
  add(
    "signature",
    "Operator's signature",
    signed,
    signed
      ? `Signed by ${promise.signer}.`
      : "The signature does not match this receipt and signer.",
  );

  try {
    const contract = new Contract(promise.contract, LEDGER_ABI, provider);
    const [network, hasRole] = await Promise.all([
      provider.getNetwork(),
      contract.getFunction("hasRole")(RECEIPT_SIGNER_ROLE, promise.signer) as Promise<boolean>,
    ]);
    const rightChain = Number(network.chainId) === promise.chainId;
    add(
      "signer",
      "Signer authorised on chain",
      rightChain && hasRole,
      !rightChain
        ? `The node is on chain ${network.chainId}, the receipt names ${promise.chainId}.`
        : hasRole
          ? `${promise.signer} holds the receipt-signer role on ${promise.contract}.`
          : `${promise.signer} does not hold the receipt-signer role on ${promise.contract}.`,
    );
  } catch (error) {
    add(
      "signer",
      "Signer authorised on chain",
      false,
      `Could not ask the chain: ${(error as Error).message}`,
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
  return { ok: steps.every((s) => s.ok), steps };
}
