/**
 * The schema errors of a receipt or a ledger identity document as sentences that name the field
 * ("the transaction hash must be 0x and 64 hex digits"), for people pasting a receipt into
 * /verify, naming an operator there, or running `npm run verify`, instead of zod's "Invalid
 * input: expected number". Browser-safe.
 */
import type { z } from "zod";

const FIELDS: Record<string, string> = {
  version: "the version",
  status: "the status",
  leaf: "the leaf",
  "leaf.index": "the leaf index",
  "leaf.data": "the leaf data",
  "leaf.salt": "the salt",
  "leaf.playerId": "the player id",
  inclusionProof: "the inclusion proof",
  checkpoint: "the checkpoint",
  "checkpoint.treeSize": "the checkpoint's tree size",
  "checkpoint.rootHash": "the checkpoint's root hash",
  signedCheckpoint: "the signed checkpoint",
  tlogProof: "the tlog-proof",
  anchor: "the anchor",
  "anchor.chainId": "the anchor's chain id",
  "anchor.contract": "the anchor's contract address",
  "anchor.txHash": "the anchoring transaction hash",
  "anchor.blockNumber": "the anchoring block number",
  "anchor.blockTime": "the anchoring block time",
  promise: "the promise",
  "promise.chainId": "the promise's chain id",
  "promise.contract": "the promise's contract address",
  "promise.anchorBy": "the promised anchoring time",
  "promise.batch": "the promise's batch",
  "promise.batch.index": "the promise's place in its batch",
  "promise.batch.size": "the promise's batch size",
  "promise.batch.path": "the promise's batch path",
  "promise.signer": "the signer's address",
  "promise.signature": "the signature",
  // A ledger identity document (./identity.ts)
  chainId: "the chain id",
  contract: "the contract address",
  deploymentBlock: "the deployment block",
  receiptSigners: "the receipt signers",
  rpcUrl: "the public chain node URL",
  log: "the log",
  "log.origin": "the log's origin",
  "log.key": "the log's key",
  witnesses: "the witnesses",
  "witnesses.*.key": "a witness's key",
  "witnesses.*.url": "a witness's URL",
  witnessQuorum: "the witness quorum",
};

const KINDS: Record<string, string> = {
  object: "an object",
  array: "a list",
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
};

/** `inclusionProof.2` reads "item 3 of the inclusion proof"; the empty path is `whole`. */
export function fieldName(path: readonly PropertyKey[], whole = "the receipt"): string {
  if (path.length === 0) return whole;
  const last = path.at(-1);
  if (typeof last === "number") return `item ${last + 1} of ${fieldName(path.slice(0, -1))}`;
  const key = path.map(String).join(".");
  // A field inside a list item ("witnesses.1.key") is named as any item's.
  const anyItem = path.map((p) => (typeof p === "number" ? "*" : String(p))).join(".");
  return FIELDS[key] ?? FIELDS[anyItem] ?? `the field “${key}”`;
}

function bound(issue: { origin?: unknown }, limit: unknown, word: string): string {
  if (issue.origin === "array") return `must have ${word} ${limit} items`;
  if (issue.origin === "string") return `must be ${word} ${limit} characters long`;
  return `must be ${word} ${limit}`;
}

/** What is wrong with the field, as the end of a sentence that starts with its name. */
function problem(issue: z.core.$ZodIssue): string {
  // Parsed with `reportInput`, an issue carries what it found: nothing there is a field left out.
  if ("input" in issue && issue.input === undefined) return "is missing";
  switch (issue.code) {
    case "invalid_type":
      return `must be ${KINDS[issue.expected] ?? issue.expected}`;
    case "invalid_value":
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
    case "invalid_format":
      if (issue.format === "url") return "must be a web address (http or https)";
      // Our patterns carry their own words: "expected 0x and 64 hex digits".
      return issue.message.startsWith("expected ")
        ? `must be ${issue.message.slice("expected ".length)}`
        : `is not in the expected format (${issue.format})`;
    case "too_small":
      return bound(issue, issue.minimum, issue.inclusive ? "at least" : "more than");
    case "too_big":
      return bound(issue, issue.maximum, issue.inclusive ? "at most" : "less than");
    default:
      return `is not valid (${issue.message})`;
  }
}

/**
 * One sentence per problem (the first `max`), each naming its field. Parse with
 * `{ reportInput: true }`, so that a missing field is told from a wrong one.
 */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  max = 5,
  whole = "the receipt",
): string {
  const sentences = issues.slice(0, max).map((issue) => {
    const text = `${fieldName(issue.path, whole)} ${problem(issue)}`;
    return `${text[0]?.toUpperCase()}${text.slice(1)}.`;
  });
  const more = issues.length - max;
  return more > 0 ? `${sentences.join(" ")} (And ${more} more.)` : sentences.join(" ");
}
