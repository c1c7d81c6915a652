/**
 * A chain of receipts: a redemption's claim receipt and its delivery receipt, each verified on
 * its own against the pinned ledger (./receipt, ./provisional), and checked to belong together.
 * Isomorphic, like the verifiers it calls: `/verify` runs it in the browser.
 *
 * What links the two (docs/receipt.md, kind 6): the delivery leaf repeats the redemption's entry
 * id and player commitment. Each receipt's own `leaf` step proves its commitment opens to its
 * player id and salt, so equal commitments in the two anchored leaves prove one player's secret
 * opens both; the documents' copies of the salt are compared too, only to say which one differs.
 */
import type { AbstractProvider, JsonRpcProvider } from "ethers";
import { z } from "zod";
import type { TrustFailure, TrustRoot } from "./identity";
import { type DeliveryOutcome, decodeLeaf, type LeafEntry } from "./leaf";
import { fromHex, toHex } from "./merkle";
import { RECEIPT_CHAIN_TYPE } from "./model";
import { verifyProvisionalReceipt } from "./provisional";
import { verifyReceipt } from "./receipt";

/** The chain file's shape (its type in ./model), checked before its receipts are read. */
const receiptChainSchema = z.object({
  version: z.literal(1),
  type: z.literal(RECEIPT_CHAIN_TYPE),
  claim: z.unknown().optional(),
  delivery: z.unknown().optional(),
});

/** What was given to verify: one receipt as before, or the links of a chain. */
export type ReceiptInput =
  | { mode: "single"; receipt: unknown }
  | { mode: "chain"; claim?: unknown; delivery?: unknown }
  | { mode: "invalid"; error: string };

/** The leaf a receipt document carries, decoded; undefined when it carries none readable. */
function leafOf(doc: unknown): LeafEntry | undefined {
  const data = (doc as { leaf?: { data?: unknown } } | null)?.leaf?.data;
  if (typeof data !== "string" || !/^0x(?:[0-9a-fA-F]{2})*$/.test(data)) return undefined;
  try {
    return decodeLeaf(fromHex(data));
  } catch {
    return undefined;
  }
}

/**
 * Sorts what was pasted or uploaded: a receipt chain file; a list of receipts (two files), each
 * put in its place by its leaf's kind; or one receipt, which is a chain's delivery link when its
 * leaf is a delivery and a receipt on its own otherwise.
 */
export function readReceiptInput(input: unknown): ReceiptInput {
  if ((input as { type?: unknown } | null)?.type === RECEIPT_CHAIN_TYPE) {
    const parsed = receiptChainSchema.safeParse(input);
    if (!parsed.success) return { mode: "invalid", error: "Not a version 1 receipt chain file" };
    return { mode: "chain", claim: parsed.data.claim, delivery: parsed.data.delivery };
  }
  if (!Array.isArray(input)) {
    return leafOf(input)?.kind === "delivery"
      ? { mode: "chain", delivery: input }
      : { mode: "single", receipt: input };
  }
  if (input.length === 1) return readReceiptInput(input[0]);
  if (input.length !== 2) {
    return { mode: "invalid", error: "Give one receipt, or a claim and a delivery receipt" };
  }
  const deliveries = input.filter((doc) => leafOf(doc)?.kind === "delivery");
  if (deliveries.length !== 1) {
    return {
      mode: "invalid",
      error:
        deliveries.length === 0
          ? "Neither receipt is a delivery receipt: give a claim and its delivery receipt"
          : "Both receipts are delivery receipts: give a claim and its delivery receipt",
    };
  }
  const [delivery] = deliveries;
  return { mode: "chain", claim: input.find((doc) => doc !== delivery), delivery };
}

export type PairingFailure =
  | "claim_missing"
  | "delivery_missing"
  | "not_a_claim"
  | "not_a_delivery"
  | "different_redemption"
  | "different_player"
  | "delivered_before_claimed";

export type Pairing =
  | { ok: true; detail: string; redemptionId: string; outcome: DeliveryOutcome }
  | { ok: false; code: PairingFailure; detail: string; outcome?: DeliveryOutcome };

function saltOf(doc: unknown): string | undefined {
  const salt = (doc as { leaf?: { salt?: unknown } } | null)?.leaf?.salt;
  return typeof salt === "string" ? salt.toLowerCase() : undefined;
}

/**
 * Whether a claim receipt and a delivery receipt are links of one chain: a redemption leaf and a
 * delivery leaf of the same entry, with the same player commitment, the delivery not before the
 * claim. Reads only the documents; whether each leaf is in the anchored log is for its verifier.
 */
export function pairReceipts(claim: unknown, delivery: unknown): Pairing {
  const delivered = delivery === undefined ? undefined : leafOf(delivery);
  const outcome = delivered?.kind === "delivery" ? delivered.outcome : undefined;
  const withOutcome = outcome ? { outcome } : {};
  if (delivery !== undefined && delivered?.kind !== "delivery") {
    return {
      ok: false,
      code: "not_a_delivery",
      detail: delivered
        ? `The second receipt is of a ${delivered.kind} entry, not a delivery.`
        : "The delivery receipt's leaf cannot be read.",
    };
  }
  const claimed = claim === undefined ? undefined : leafOf(claim);
  if (claim !== undefined && claimed?.kind !== "redemption") {
    return {
      ok: false,
      code: "not_a_claim",
      detail: claimed
        ? `The first receipt is of a ${claimed.kind} entry, not a redemption.`
        : "The claim receipt's leaf cannot be read.",
      ...withOutcome,
    };
  }
  if (!claimed) {
    return {
      ok: false,
      code: "claim_missing",
      detail: "Claim receipt missing: add it to prove what this delivery delivered.",
      ...withOutcome,
    };
  }
  if (delivered?.kind !== "delivery") {
    return {
      ok: false,
      code: "delivery_missing",
      detail: "Delivery receipt missing: the claim alone proves no delivery.",
    };
  }
  if (claimed.entryId !== delivered.entryId) {
    return {
      ok: false,
      code: "different_redemption",
      detail: `The receipts are of different redemptions: ${claimed.entryId} was claimed, ${delivered.entryId} delivered.`,
      ...withOutcome,
    };
  }
  if (toHex(claimed.playerCommitment) !== toHex(delivered.playerCommitment)) {
    return {
      ok: false,
      code: "different_player",
      detail:
        saltOf(claim) === saltOf(delivery)
          ? "The two entries commit to different players."
          : "The two entries commit to different players (the receipts' salts differ).",
      ...withOutcome,
    };
  }
  if (delivered.timeMs < claimed.timeMs) {
    return {
      ok: false,
      code: "delivered_before_claimed",
      detail: "The delivery entry is dated before the claim it delivers.",
      outcome: delivered.outcome,
    };
  }
  return {
    ok: true,
    redemptionId: claimed.entryId,
    outcome: delivered.outcome,
    detail: `Both entries are of redemption ${claimed.entryId} and commit to the same player.`,
  };
}

export type ChainStep = {
  id: string;
  label: string;
  ok: boolean;
  detail: string;
  skipped?: true;
  unchecked?: true;
};
/** One receipt of the chain as its verifier found it; absent when it was not given. */
export type ChainLink =
  | { present: false }
  | {
      present: true;
      ok: boolean;
      provisional: boolean;
      steps: ChainStep[];
      reason?: TrustFailure;
    };
export type ChainResult = {
  /** Both receipts verified and paired: the chain proves claimed → its delivery's outcome. */
  ok: boolean;
  claim: ChainLink;
  delivery: ChainLink;
  pairing: Pairing;
};

async function verifyLink(
  doc: unknown,
  provider: JsonRpcProvider | AbstractProvider,
  trust: TrustRoot,
  onStep?: (step: ChainStep) => void,
): Promise<ChainLink> {
  if (doc === undefined) return { present: false };
  // A provisional receipt carries the operator's signed promise instead of a proof.
  const provisional = (doc as { status?: unknown } | null)?.status === "pending";
  const result = provisional
    ? await verifyProvisionalReceipt(doc, provider, trust)
    : await verifyReceipt(doc, provider, trust, onStep);
  return {
    present: true,
    ok: result.ok,
    provisional,
    steps: result.steps,
    ...(result.reason && { reason: result.reason }),
  };
}

/**
 * Verifies each receipt given against the `trust`ed ledger (never one a receipt or the chain
 * file names), then whether they pair. A link that was not given is reported missing, the other
 * still verified: a delivery receipt alone can be genuine and still prove no claim.
 */
export async function verifyReceiptChain(
  links: { claim?: unknown; delivery?: unknown },
  provider: JsonRpcProvider | AbstractProvider,
  trust: TrustRoot,
  onStep?: (link: "claim" | "delivery", step: ChainStep) => void,
): Promise<ChainResult> {
  const claim = await verifyLink(links.claim, provider, trust, (s) => onStep?.("claim", s));
  const delivery = await verifyLink(links.delivery, provider, trust, (s) =>
    onStep?.("delivery", s),
  );
  const pairing = pairReceipts(links.claim, links.delivery);
  return {
    ok: claim.present && claim.ok && delivery.present && delivery.ok && pairing.ok,
    claim,
    delivery,
    pairing,
  };
}
