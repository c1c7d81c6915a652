/**
 * The operator's ledger identity: the one chain, contract and receipt signers its receipts may
 * name, published at /.well-known/prizeledger.json. A verifier pins it from a source it chose
 * (this site's server, another operator's published document, command-line flags or the local
 * installation) and never from the receipt: anyone can deploy a look-alike contract and write a
 * receipt naming it. Isomorphic: runs in the browser (`/verify`) and in Node.
 */
import { getAddress } from "ethers";
import { z } from "zod";
import { readAtMost } from "@/lib/http/read-at-most";
import {
  assertDistinctKeys,
  COSIGNATURE_V1,
  ED25519,
  type KeyType,
  parseVerifierKey,
  type VerifierKey,
} from "@/lib/tlog/note";
import { describeIssues as describeSchemaIssues } from "./schema-issues";

export const WELL_KNOWN_PATH = "/.well-known/prizeledger.json";

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected an address (0x and 40 hex digits)")
  // Lowercased first: a document may spell an address in any case, checksummed or not.
  .transform((value) => getAddress(value.toLowerCase()));

const KEY_TYPE_NAMES: Record<KeyType, string> = {
  1: "an Ed25519 note key (type 0x01)",
  4: "a cosignature/v1 key (type 0x04)",
};

/**
 * A C2SP signed-note verifier key, name+keyid+base64, of the one type its use needs (the log
 * signs with 0x01, witnesses cosign with 0x04): its key id is checked against its contents here,
 * so a mistyped key is refused in words when the document is read, not when a receipt fails.
 */
function noteVerifierKey(type: KeyType) {
  return z
    .string()
    .max(255)
    .superRefine((vkey, ctx) => {
      try {
        const key = parseVerifierKey(vkey);
        if (key.type !== type) {
          ctx.addIssue({
            code: "custom",
            message: `expected ${KEY_TYPE_NAMES[type]}, got ${KEY_TYPE_NAMES[key.type]}`,
          });
        }
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    });
}

/** Two witnesses a cosignature line would name alike: its signature could mean either. */
function refuseAmbiguousKeys(witnesses: { key: string }[], ctx: z.RefinementCtx): void {
  const keys: VerifierKey[] = [];
  for (const [i, witness] of witnesses.entries()) {
    try {
      keys.push(parseVerifierKey(witness.key));
      assertDistinctKeys(keys);
    } catch (error) {
      // A key that does not parse has its own issue already.
      if (keys.length > i) {
        ctx.addIssue({ code: "custom", path: [i, "key"], message: (error as Error).message });
        return;
      }
    }
  }
}

export const ledgerIdentitySchema = z.object({
  version: z.literal(1),
  chainId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  contract: address,
  /** Where the contract's history starts: monitors read its events from this block on. */
  deploymentBlock: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** Addresses whose signed promises (provisional receipts) the operator stands behind. */
  receiptSigners: z.array(address).max(16),
  /**
   * A JSON-RPC node of the chain that anyone may call (browsers included). Verifiers take it
   * over plain http only on this machine: see `operatorNodeUrl`.
   */
  rpcUrl: z.url({ protocol: /^https?$/ }),
  /**
   * The transparency log (C2SP tlog-checkpoint): its origin line and the verifier key of the
   * Ed25519 key that signs its checkpoints. Absent in documents from before signed checkpoints.
   */
  log: z.object({ origin: z.string().min(1).max(255), key: noteVerifierKey(ED25519) }).optional(),
  /**
   * The witnesses the operator submits checkpoints to (C2SP tlog-witness), by their cosignature
   * verifier keys, with where they take submissions. A verifier chooses whom it trusts; this list
   * is what the operator offers.
   */
  witnesses: z
    .array(
      z.object({
        key: noteVerifierKey(COSIGNATURE_V1),
        url: z.url({ protocol: /^https?$/ }).optional(),
      }),
    )
    .max(16)
    .superRefine(refuseAmbiguousKeys)
    .optional(),
  /** How many of `witnesses` the operator waits for before it calls a checkpoint witnessed. */
  witnessQuorum: z.number().int().nonnegative().max(16).optional(),
});
export type LedgerIdentity = z.infer<typeof ledgerIdentitySchema>;

/** What a verifier trusts, and who it took that from. */
export type TrustRoot = {
  chainId: number;
  contract: string;
  /** Absent when pinned by chain id and contract alone: then the contract's signer role decides. */
  receiptSigners?: string[];
  /**
   * The log's checkpoint signing key (a 0x01 verifier key): a receipt's signed checkpoint must
   * open with it. Absent: the log's signature is not checked.
   */
  logKey?: string;
  /** The log's origin line; absent, the key's name (C2SP: the log key is named after it). */
  logOrigin?: string;
  /** The witnesses whose cosignatures count (0x04 verifier keys); others are ignored. */
  witnesses?: string[];
  /** How many of `witnesses` must have cosigned a receipt's checkpoint (0 when absent). */
  quorum?: number;
  /** Where `quorum` came from when not from `source` ("--quorum", "every --witness"). */
  quorumFrom?: string;
  /** Said with every verdict: "this site", an operator's document URL, the flags… */
  source: string;
};

export type TrustFailure = "untrusted_chain" | "untrusted_contract" | "untrusted_signer";

export type LedgerIdentityErrorCode =
  | "ledger_identity_unconfigured"
  | "invalid_pin"
  | "bad_operator_url"
  | "operator_unreachable"
  | "bad_identity_document"
  | "insecure_operator_node";

export class LedgerIdentityError extends Error {
  constructor(
    readonly code: LedgerIdentityErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "LedgerIdentityError";
  }
}

export function trustRootOf(identity: LedgerIdentity, source: string): TrustRoot {
  return {
    chainId: identity.chainId,
    contract: identity.contract,
    receiptSigners: identity.receiptSigners,
    ...(identity.log && { logKey: identity.log.key, logOrigin: identity.log.origin }),
    ...(identity.witnesses && { witnesses: identity.witnesses.map((w) => w.key) }),
    ...(identity.witnessQuorum !== undefined && { quorum: identity.witnessQuorum }),
    source,
  };
}

export function describeTrustRoot(trust: TrustRoot): string {
  const signers = trust.receiptSigners
    ? trust.receiptSigners.length > 0
      ? `receipt signers ${trust.receiptSigners.join(", ")}`
      : "no receipt signers"
    : "receipt signers: those the contract grants the role";
  const log = trust.logKey ? `, log key ${trust.logKey}` : "";
  const witnesses = trust.witnesses?.length
    ? `, ${trust.quorum ?? 0} of the ${trust.witnesses.length} witnesses ${trust.witnesses.join(", ")}${trust.quorumFrom ? ` (k from ${trust.quorumFrom})` : ""}`
    : "";
  return `${trust.source}: chain ${trust.chainId}, contract ${trust.contract}, ${signers}${log}${witnesses}`;
}

/**
 * Whether what a receipt names is the trusted ledger. The chain is checked first, then the
 * contract, then (for a provisional receipt) the signer, so the reason is the first difference.
 */
export function checkTrust(
  named: { chainId: number; contract: string; signer?: string },
  trust: TrustRoot,
): { ok: true; detail: string } | { ok: false; code: TrustFailure; detail: string } {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (named.chainId !== trust.chainId) {
    return {
      ok: false,
      code: "untrusted_chain",
      detail: `The receipt names chain ${named.chainId}; the trusted ledger (${trust.source}) is on chain ${trust.chainId}.`,
    };
  }
  if (!same(named.contract, trust.contract)) {
    return {
      ok: false,
      code: "untrusted_contract",
      detail: `The receipt names contract ${named.contract}; the trusted ledger (${trust.source}) is ${trust.contract}.`,
    };
  }
  const signer = named.signer;
  if (
    signer !== undefined &&
    trust.receiptSigners &&
    !trust.receiptSigners.some((s) => same(s, signer))
  ) {
    return {
      ok: false,
      code: "untrusted_signer",
      detail: `The receipt is signed by ${signer}, not a receipt signer of the trusted ledger (${trust.source}).`,
    };
  }
  return {
    ok: true,
    detail: `It names the trusted ledger (${trust.source}): contract ${trust.contract} on chain ${trust.chainId}.`,
  };
}

/** The first few problems of a rejected identity document, in words (parse with reportInput). */
export function describeIssues(error: z.ZodError): string {
  return describeSchemaIssues(error.issues, 5, "the document");
}

/**
 * The URL of an operator's identity document from what an auditor typed: the document's own URL,
 * or the site's address (then the well-known path is added). Only https, or http on this machine.
 */
export function identityDocumentUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new LedgerIdentityError("bad_operator_url", `The operator URL is not a URL: ${input}`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url))) {
    throw new LedgerIdentityError(
      "bad_operator_url",
      `The operator URL must be https (or http on this machine): ${input}`,
    );
  }
  if (url.pathname === "/" || url.pathname === "") url.pathname = WELL_KNOWN_PATH;
  url.hash = "";
  return url;
}

function isLoopback(url: URL): boolean {
  return ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
}

/**
 * The node an operator's document names, when a verifier may ask it without the auditor naming
 * one: https, or http on this machine. Over plain http anyone on the network path could answer
 * for it (chain id, checkpoints, roles), and any forged receipt would verify.
 */
export function operatorNodeUrl(identity: LedgerIdentity): string {
  const url = new URL(identity.rpcUrl);
  if (url.protocol !== "https:" && !isLoopback(url)) {
    throw new LedgerIdentityError(
      "insecure_operator_node",
      `The operator's chain node ${identity.rpcUrl} is not https: name a node you trust instead.`,
    );
  }
  return identity.rpcUrl;
}

const MAX_DOCUMENT_BYTES = 64 * 1024;
/** A slow or silent server must not hang the page or the command that asked it. */
const DOCUMENT_TIMEOUT_MS = 10_000;

/** Why a fetch failed, in words: Node's fetch hides the reason (a redirect, a refused connection) in `cause`. */
function fetchFailure(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError") return `no answer within ${timeoutMs / 1000} s`;
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}

/**
 * Fetches and checks an operator's published ledger identity. Redirects are refused: the
 * document is trusted for the address the auditor named, not for wherever that one points.
 */
export async function fetchLedgerIdentity(
  url: URL,
  fetchFn: typeof fetch = fetch,
  timeoutMs = DOCUMENT_TIMEOUT_MS,
): Promise<LedgerIdentity> {
  let text: string | undefined;
  try {
    const response = await fetchFn(url, {
      headers: { accept: "application/json" },
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`it answered HTTP ${response.status}`);
    text = await readAtMost(response, MAX_DOCUMENT_BYTES);
  } catch (error) {
    throw new LedgerIdentityError(
      "operator_unreachable",
      `The operator's ledger identity could not be read from ${url}: ${fetchFailure(error, timeoutMs)}`,
    );
  }
  const bad = (why: string) =>
    new LedgerIdentityError(
      "bad_identity_document",
      `${url} is not a Prizeledger ledger identity: ${why}`,
    );
  if (text === undefined) throw bad(`larger than ${MAX_DOCUMENT_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw bad("not JSON");
  }
  const parsed = ledgerIdentitySchema.safeParse(json, { reportInput: true });
  if (!parsed.success) throw bad(describeIssues(parsed.error));
  return parsed.data;
}
