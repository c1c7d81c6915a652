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
import { decodeLeaf, playerCommitment } from "./leaf";
import { fromHex, leafHash, toHex } from "./merkle";
import { readChainId } from "./receipt";

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

  const trusted = checkTrust(promise, trust);
  if (!trusted.ok) {
    add("identity", "Trusted ledger", false, trusted.detail, trusted.code);
    return { ok: false, steps, reason: trusted.code };
  }
  add("identity", "Trusted ledger", true, trusted.detail);

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
  return { ok: steps.every((s) => s.ok), steps, ...(reason && { reason }) };
}
