/**
 * What a checkpoint verifier (lib/tlog/verify-checkpoint) reads: the operator's signed checkpoint
 * (GET /checkpoint) and consistency proofs (the proof endpoint), the pinned contract's anchored
 * roots, and the keys it pins from the identity document it chose. Nothing read from the operator
 * is believed: the verifier checks it all. Isomorphic: /verify and the standalone verifier share it.
 */
import { type AbstractProvider, Contract, Interface } from "ethers";
import { readAtMost } from "@/lib/http/read-at-most";
import { parseCheckpoint } from "@/lib/tlog/checkpoint";
import { NoteError, openNote, parseVerifierKey } from "@/lib/tlog/note";
import type {
  CheckpointSources,
  CheckpointTrust,
  PreviousCheckpoint,
} from "@/lib/tlog/verify-checkpoint";
import { LEDGER_ABI } from "./contract";
import type { LedgerIdentity } from "./identity";
import { fromHex, type Hash } from "./merkle";
import { readChainId } from "./receipt";

/** A checkpoint and a hundred cosignature lines fit many times over. */
const MAX_NOTE_BYTES = 64 * 1024;
const MAX_PROOF_BYTES = 16 * 1024;
const TIMEOUT_MS = 10_000;

async function get(url: URL, accept: string, maxBytes: number, fetchFn: typeof fetch) {
  let response: Response;
  try {
    response = await fetchFn(url, {
      headers: { accept },
      redirect: "error",
      cache: "no-store",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const why = error instanceof Error && error.name === "TimeoutError" ? "no answer in time" : "";
    throw new Error(`${url} could not be read${why ? `: ${why}` : ""}`);
  }
  const text = await readAtMost(response, maxBytes);
  if (text === undefined) throw new Error(`${url} answered more than ${maxBytes} bytes`);
  return { status: response.status, text };
}

/** The operator's latest signed checkpoint note, as served at `<site>/checkpoint`. */
export async function fetchCheckpointNote(site: string, fetchFn: typeof fetch = fetch) {
  const url = new URL("/checkpoint", site);
  const { status, text } = await get(url, "text/plain", MAX_NOTE_BYTES, fetchFn);
  if (status === 404) throw new Error(`${url}: the log has signed no checkpoint yet`);
  if (status !== 200) throw new Error(`${url} answered HTTP ${status}`);
  return text;
}

/** `consistencyProof` through the operator's proof endpoint (hex hashes). */
export function operatorConsistencyProofs(site: string, fetchFn: typeof fetch = fetch) {
  return async (from: number, to: number): Promise<Hash[]> => {
    const url = new URL(`/api/v1/ledger/proofs/consistency?from=${from}&to=${to}`, site);
    const { status, text } = await get(url, "application/json", MAX_PROOF_BYTES, fetchFn);
    if (status !== 200) throw new Error(`${url} answered HTTP ${status}`);
    let proof: unknown;
    try {
      proof = (JSON.parse(text) as { proof?: unknown }).proof;
    } catch {
      throw new Error(`${url} did not answer JSON`);
    }
    if (!Array.isArray(proof) || !proof.every((h) => /^0x[0-9a-fA-F]{64}$/.test(String(h)))) {
      throw new Error(`${url} did not answer a list of 32-byte hashes`);
    }
    return proof.map((hash: string) => fromHex(hash));
  };
}

/**
 * The log and witness keys an identity document publishes, with the auditor's quorum (the
 * document's own when not given). Throws in words when the document names no signed log.
 */
export function checkpointTrustOf(identity: LedgerIdentity, quorum?: number): CheckpointTrust {
  if (!identity.log) {
    throw new NoteError("the ledger identity names no signed log (no log origin and key)");
  }
  const witnesses = (identity.witnesses ?? []).map((w) => parseVerifierKey(w.key));
  const k = quorum ?? identity.witnessQuorum ?? 0;
  return {
    origin: identity.log.origin,
    logKey: parseVerifierKey(identity.log.key),
    witnesses,
    quorum: k,
  };
}

/**
 * A checkpoint saved after it verified (its note), read back to verify the next one against.
 * Its log signature is checked again under the pinned key: storage, or a file handed over, may
 * hold a note another "operator" (or anyone) put there, and comparing with that would accuse an
 * honest log of a fork or a rollback.
 */
export async function readSavedCheckpoint(
  note: string,
  trust: Pick<CheckpointTrust, "origin" | "logKey">,
): Promise<PreviousCheckpoint> {
  const { origin, logKey } = trust;
  const opened = await openNote(note, [logKey]);
  const checkpoint = parseCheckpoint(opened.text);
  if (checkpoint.origin !== origin) {
    throw new NoteError(
      `the saved checkpoint is of log ${JSON.stringify(checkpoint.origin)}, not ${JSON.stringify(origin)}`,
    );
  }
  if (opened.verified.length === 0) {
    throw new NoteError(`the saved checkpoint is not signed by the log's key ${logKey.vkey}`);
  }
  return { size: checkpoint.size, rootHash: checkpoint.rootHash };
}

const ZERO_HASH = `0x${"0".repeat(64)}`;

/**
 * `anchoredRoot` for a pinned contract on a pinned chain: a node of another chain, or an address
 * without the contract, is an error in words, never an absent checkpoint.
 */
export function contractCheckpoints(
  provider: AbstractProvider,
  pinned: { chainId: number; contract: string },
): CheckpointSources["anchoredRoot"] {
  return async (size) => {
    const chainId = await readChainId(provider);
    if (chainId !== BigInt(pinned.chainId)) {
      throw new Error(`the node is on chain ${chainId}, the pinned ledger on ${pinned.chainId}`);
    }
    if ((await provider.getCode(pinned.contract)) === "0x") {
      throw new Error(`there is no contract at ${pinned.contract} on chain ${pinned.chainId}`);
    }
    const ledger = new Contract(pinned.contract, new Interface(LEDGER_ABI), provider);
    const [root] = (await ledger.getFunction("checkpointAt")(size)) as [string, bigint];
    return root.toLowerCase() === ZERO_HASH ? null : fromHex(root);
  };
}
