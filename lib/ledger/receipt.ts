/**
 * Receipt verification against a pinned ledger (see ./identity): the receipt must name the trusted
 * chain and contract, and everything else is read from that contract over JSON-RPC. Isomorphic:
 * runs in the browser (`/verify`) and in Node (`npm run verify`) with any ethers provider.
 */
import {
  type AbstractProvider,
  Contract,
  Interface,
  JsonRpcApiProvider,
  type JsonRpcProvider,
} from "ethers";
import { z } from "zod";
import { LEDGER_ABI } from "./contract";
import { checkTrust, type TrustFailure, type TrustRoot } from "./identity";
import { decodeLeaf, describeLeaf, type LeafEntry, playerCommitment } from "./leaf";
import { fromHex, leafHash, toHex, verifyInclusion } from "./merkle";
import { classifyNodeFailure, noContractDetail } from "./node-errors";
import { describeIssues } from "./schema-issues";
import { checkLogSignature, checkWitnesses } from "./signed-checkpoint";

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected 0x and 64 hex digits");
const hexBytes = z
  .string()
  .regex(/^0x(?:[0-9a-fA-F]{2})*$/, "expected 0x and an even number of hex digits");
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected an address (0x and 40 hex digits)");
const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "expected a UUID");
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

// A checkpoint note is three lines; with the log's signature and 16 witnesses' it stays under 3 kB.
const MAX_SIGNED_CHECKPOINT_LENGTH = 16 * 1024;

export const receiptSchema = z.object({
  version: z.literal(1),
  status: z.literal("anchored"),
  leaf: z.object({ index: count, data: hexBytes.max(2 + 2 * 1024), salt: hex32, playerId: uuid }),
  inclusionProof: z.array(hex32).max(64),
  checkpoint: z.object({ treeSize: count.min(1), rootHash: hex32 }),
  /**
   * That checkpoint as the log signed it (a C2SP signed note: tlog-checkpoint text, the log's
   * signature, then the witnesses' cosignatures it was issued with). Absent in receipts issued
   * before the log signed its checkpoints.
   */
  signedCheckpoint: z.string().max(MAX_SIGNED_CHECKPOINT_LENGTH).optional(),
  /**
   * The leaf index, the inclusion proof and the signed checkpoint again, in the C2SP
   * tlog-proof@v1 text form that other transparency-log tools read. Only with signedCheckpoint.
   */
  tlogProof: z
    .string()
    .max(MAX_SIGNED_CHECKPOINT_LENGTH + 64 * 50)
    .optional(),
  anchor: z.object({
    chainId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    contract: address,
    txHash: hex32,
    blockNumber: count,
    blockTime: count,
  }),
});

export type Receipt = z.infer<typeof receiptSchema>;

export type VerifyStepId =
  | "format"
  | "identity"
  | "leaf"
  | "inclusion"
  | "chain"
  | "checkpoint"
  | "logSignature"
  | "witnesses"
  | "transaction"
  | "blockTime";

export type VerifyStep = {
  id: VerifyStepId;
  label: string;
  ok: boolean;
  detail: string;
  /** Set when the receipt names a ledger the verifier does not trust. */
  code?: TrustFailure;
  /** The step did not run, because an earlier one failed: `ok` is false, but nothing failed. */
  skipped?: true;
  /** The step had nothing to check (no signed checkpoint): `ok` is true, but nothing passed. */
  unchecked?: true;
};

export type VerifyResult = { ok: boolean; steps: VerifyStep[]; reason?: TrustFailure };

const LABELS: Record<VerifyStepId, string> = {
  format: "Receipt format",
  identity: "Trusted ledger",
  leaf: "Ledger entry and player commitment",
  inclusion: "Inclusion in the checkpoint",
  chain: "Chain",
  checkpoint: "Checkpoint on chain",
  logSignature: "Log's signature",
  witnesses: "Witnesses",
  transaction: "Anchoring transaction",
  blockTime: "Anchoring time",
};

const ORDER: VerifyStepId[] = [
  "format",
  "identity",
  "leaf",
  "inclusion",
  "chain",
  "checkpoint",
  "logSignature",
  "witnesses",
  "transaction",
  "blockTime",
];

const ledgerInterface = new Interface(LEDGER_ABI);
const CHECKPOINT_APPENDED = ledgerInterface.getEvent("CheckpointAppended");
const ZERO_HASH = `0x${"0".repeat(64)}`;

function sameHex(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function short(hex: string): string {
  return hex.length > 18 ? `${hex.slice(0, 10)}…${hex.slice(-6)}` : hex;
}

function errorText(error: unknown): string {
  if (error && typeof error === "object" && "shortMessage" in error)
    return String(error.shortMessage);
  return error instanceof Error ? error.message : String(error);
}

function describeEntry(entry: LeafEntry): string {
  const when = new Date(entry.timeMs).toISOString();
  return `${describeLeaf(entry)}, at ${when}`;
}

export async function readChainId(provider: AbstractProvider): Promise<bigint> {
  // A provider with a static network answers getNetwork() from its configuration, not the node.
  if (provider instanceof JsonRpcApiProvider) return BigInt(await provider.send("eth_chainId", []));
  return (await provider.getNetwork()).chainId;
}

/**
 * Verifies a receipt step by step against the `trust`ed ledger. Every step is reported (through
 * `onStep` as it completes, and in the result); a step that cannot run because an earlier one
 * failed is reported as not run (`skipped`), with the reason. A receipt naming another chain or contract fails
 * right after its format, with `reason` naming which. `ok` is true only if every step passed.
 */
export async function verifyReceipt(
  input: unknown,
  provider: JsonRpcProvider | AbstractProvider,
  trust: TrustRoot,
  onStep?: (step: VerifyStep) => void,
  /** The verifier's clock (POSIX seconds), which no witness's cosignature time may be ahead of. */
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<VerifyResult> {
  const steps: VerifyStep[] = [];
  let reason: TrustFailure | undefined;
  const report = (id: VerifyStepId, ok: boolean, detail: string, unchecked?: true): boolean => {
    const step: VerifyStep = { id, label: LABELS[id], ok, detail, ...(unchecked && { unchecked }) };
    if (id === "identity" && reason) step.code = reason;
    steps.push(step);
    onStep?.(step);
    return ok;
  };
  const skipRest = (reason: string) => {
    for (const id of ORDER) {
      if (steps.some((s) => s.id === id)) continue;
      const detail = `Not run: ${reason}.`;
      const step: VerifyStep = { id, label: LABELS[id], ok: false, detail, skipped: true };
      steps.push(step);
      onStep?.(step);
    }
  };
  const result = (): VerifyResult => ({
    ok: steps.length === ORDER.length && steps.every((s) => s.ok),
    steps,
    ...(reason && { reason }),
  });

  const parsed = receiptSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    report(
      "format",
      false,
      `Not a version 1 anchored receipt. ${describeIssues(parsed.error.issues)}`,
    );
    skipRest("the receipt could not be read");
    return result();
  }
  const receipt = parsed.data;
  const { leaf, checkpoint, anchor } = receipt;
  report(
    "format",
    true,
    `Version 1 receipt for leaf ${leaf.index} of a ${checkpoint.treeSize}-entry log.`,
  );

  const trusted = checkTrust(anchor, trust);
  if (!trusted.ok) {
    reason = trusted.code;
    report("identity", false, trusted.detail);
    skipRest("the receipt names a ledger that is not trusted");
    return result();
  }
  report("identity", true, trusted.detail);
  // From here on only the pinned chain and contract are read; the receipt's equal copies are not.
  const contract = trust.contract;

  const data = fromHex(leaf.data);
  try {
    const entry = decodeLeaf(data);
    const commitment = playerCommitment(leaf.playerId, fromHex(leaf.salt));
    if (sameHex(toHex(commitment), toHex(entry.playerCommitment))) {
      report("leaf", true, `${describeEntry(entry)}; it commits to player ${leaf.playerId}.`);
    } else {
      report(
        "leaf",
        false,
        "The entry's player commitment does not match this player ID and salt.",
      );
    }
  } catch (error) {
    report("leaf", false, `The leaf is not a valid ledger entry: ${errorText(error)}.`);
  }

  const included = verifyInclusion(
    leafHash(data),
    leaf.index,
    checkpoint.treeSize,
    receipt.inclusionProof.map(fromHex),
    fromHex(checkpoint.rootHash),
  );
  report(
    "inclusion",
    included,
    included
      ? `Leaf ${leaf.index} is in the log of ${checkpoint.treeSize} entries with root ${short(checkpoint.rootHash)}.`
      : `The inclusion proof does not lead from leaf ${leaf.index} to root ${short(checkpoint.rootHash)} at size ${checkpoint.treeSize}.`,
  );

  try {
    const chainId = await readChainId(provider);
    if (chainId !== BigInt(trust.chainId)) {
      report(
        "chain",
        false,
        `The node is on chain ${chainId}, the trusted ledger on chain ${trust.chainId}: it is another network's node.`,
      );
      skipRest("the node is on another chain");
      return result();
    }
    report("chain", true, `Connected to chain ${chainId}.`);
  } catch (error) {
    const failure = classifyNodeFailure(error);
    report("chain", false, `The chain node could not be asked: ${failure.detail}.`);
    skipRest(
      failure.kind === "unreachable"
        ? "the chain node could not be reached"
        : "the address is not an Ethereum node",
    );
    return result();
  }

  let anchoredBlockTime: bigint | undefined;
  try {
    const code = await provider.getCode(contract);
    if (code === "0x") {
      report("checkpoint", false, noContractDetail(contract, trust.chainId));
    } else {
      const ledger = new Contract(contract, ledgerInterface, provider);
      const [rootHash, blockTime] = (await ledger.getFunction("checkpointAt")(
        checkpoint.treeSize,
      )) as [string, bigint];
      if (sameHex(rootHash, ZERO_HASH)) {
        report(
          "checkpoint",
          false,
          `The contract has no checkpoint of size ${checkpoint.treeSize}.`,
        );
      } else {
        anchoredBlockTime = blockTime;
        const matches = sameHex(rootHash, checkpoint.rootHash);
        report(
          "checkpoint",
          matches,
          matches
            ? `The contract holds root ${short(rootHash)} for size ${checkpoint.treeSize}.`
            : `The contract holds root ${short(rootHash)} for size ${checkpoint.treeSize}, not ${short(checkpoint.rootHash)}.`,
        );
      }
    }
  } catch (error) {
    report("checkpoint", false, `The checkpoint could not be read: ${errorText(error)}.`);
  }

  // Keys from the trust root only: a receipt could carry a note signed by anyone.
  const logSigned = await checkLogSignature(
    receipt.signedCheckpoint,
    checkpoint,
    trust,
    receipt.tlogProof === undefined
      ? undefined
      : { text: receipt.tlogProof, index: leaf.index, inclusionProof: receipt.inclusionProof },
  );
  report("logSignature", logSigned.ok, logSigned.detail, logSigned.unchecked);
  const witnessed = await checkWitnesses(receipt.signedCheckpoint, checkpoint, trust, nowSeconds);
  report("witnesses", witnessed.ok, witnessed.detail);

  let eventBlockTime: bigint | undefined;
  try {
    const tx = await provider.getTransactionReceipt(anchor.txHash);
    const problems: string[] = [];
    if (tx === null) {
      problems.push(`transaction ${short(anchor.txHash)} is not on chain`);
    } else {
      if (tx.status !== 1) problems.push("it reverted");
      if (tx.to === null || !sameHex(tx.to, contract))
        problems.push(`it was not sent to ${contract}`);
      if (tx.blockNumber !== anchor.blockNumber) {
        problems.push(`it is in block ${tx.blockNumber}, not ${anchor.blockNumber}`);
      }
      const event = tx.logs
        .filter(
          (log) =>
            sameHex(log.address, contract) && log.topics[0] === CHECKPOINT_APPENDED?.topicHash,
        )
        .map((log) => ledgerInterface.parseLog(log))
        .find(
          (parsed) =>
            parsed !== null &&
            parsed.args[0] === BigInt(checkpoint.treeSize) &&
            sameHex(parsed.args[1] as string, checkpoint.rootHash),
        );
      if (event) eventBlockTime = event.args[2] as bigint;
      else
        problems.push(
          `it did not anchor size ${checkpoint.treeSize} with root ${short(checkpoint.rootHash)}`,
        );
    }
    report(
      "transaction",
      problems.length === 0,
      problems.length === 0
        ? `Transaction ${short(anchor.txHash)} in block ${anchor.blockNumber} anchored this checkpoint.`
        : `The anchoring transaction does not match: ${problems.join("; ")}.`,
    );
  } catch (error) {
    report("transaction", false, `The transaction could not be read: ${errorText(error)}.`);
  }

  try {
    const block = await provider.getBlock(anchor.blockNumber);
    const problems: string[] = [];
    if (block === null) {
      problems.push(`block ${anchor.blockNumber} does not exist`);
    } else if (block.timestamp !== anchor.blockTime) {
      problems.push(
        `block ${anchor.blockNumber} has time ${block.timestamp}, the receipt says ${anchor.blockTime}`,
      );
    }
    if (anchoredBlockTime === undefined) {
      problems.push("the contract has no anchoring time for this checkpoint");
    } else if (anchoredBlockTime !== BigInt(anchor.blockTime)) {
      problems.push(
        `the contract recorded time ${anchoredBlockTime}, the receipt says ${anchor.blockTime}`,
      );
    }
    if (eventBlockTime !== undefined && eventBlockTime !== BigInt(anchor.blockTime)) {
      problems.push(`the anchoring event recorded time ${eventBlockTime}`);
    }
    report(
      "blockTime",
      problems.length === 0,
      problems.length === 0
        ? `Anchored at ${new Date(anchor.blockTime * 1000).toISOString()}.`
        : `The anchoring time does not match: ${problems.join("; ")}.`,
    );
  } catch (error) {
    report("blockTime", false, `The block could not be read: ${errorText(error)}.`);
  }

  return result();
}
