/**
 * A receipt's signed checkpoint (C2SP tlog-checkpoint as a signed note, with witnesses'
 * cosignature/v1 lines): the log's signature under the key the verifier pinned, and k of the
 * witnesses the verifier trusts. Keys come only from the trust root, never from the receipt.
 * Isomorphic, like ./receipt which runs these as two of its steps.
 */
import { encodeBase64 } from "@/lib/tlog/base64";
import { parseCheckpoint } from "@/lib/tlog/checkpoint";
import {
  COSIGNATURE_V1,
  ED25519,
  openNote,
  parseNote,
  parseVerifierKey,
  type VerifierKey,
} from "@/lib/tlog/note";
import { quote } from "@/lib/tlog/note-error";
import type { TrustRoot } from "./identity";
import { fromHex } from "./merkle";

/** `unchecked`: nothing to check, so it passed without checking (shown as "not checked"). */
export type SignatureCheck = { ok: boolean; detail: string; unchecked?: true };

const TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1\n";

/**
 * The receipt's proof in the C2SP tlog-proof@v1 form, for tools that read it: the header, the
 * leaf index, the inclusion proof in base64 (leaf's sibling first), a blank line, then the signed
 * checkpoint verbatim. Canonical, so a receipt's copy is checked by comparing bytes.
 */
export function formatTlogProof(
  index: number,
  inclusionProof: string[],
  signedCheckpoint: string,
): string {
  const hashes = inclusionProof.map((hash) => `${encodeBase64(fromHex(hash))}\n`).join("");
  return `${TLOG_PROOF_HEADER}index ${index}\n${hashes}\n${signedCheckpoint}`;
}

/** How far ahead of the verifier's clock a witness's clock may run before its time is refused. */
export const COSIGNATURE_CLOCK_SKEW_SECONDS = 300;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function quorumOf(trust: TrustRoot): number {
  return trust.quorum ?? 0;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The note's text when it is the checkpoint the receipt's proof leads to (same size and root,
 * and the pinned origin where one is pinned), else why not.
 */
function checkpointText(
  note: string,
  checkpoint: { treeSize: number; rootHash: string },
  origin: string | undefined,
): { ok: true; text: string } | { ok: false; detail: string } {
  let text: string;
  let parsed: ReturnType<typeof parseCheckpoint>;
  try {
    text = parseNote(note).text;
    parsed = parseCheckpoint(text);
  } catch (error) {
    return { ok: false, detail: `The signed checkpoint cannot be read: ${errorText(error)}.` };
  }
  const root = encodeBase64(fromHex(checkpoint.rootHash));
  const problems: string[] = [];
  if (origin !== undefined && parsed.origin !== origin)
    problems.push(`its origin is ${quote(parsed.origin)}, not the pinned log's ${quote(origin)}`);
  if (parsed.size !== checkpoint.treeSize)
    problems.push(`it is of size ${parsed.size}, not ${checkpoint.treeSize}`);
  if (encodeBase64(parsed.rootHash) !== root)
    problems.push(`its root is ${encodeBase64(parsed.rootHash)}, not ${root}`);
  if (parsed.extensions.length > 0)
    problems.push("it has extension lines, which this log never signs");
  if (problems.length > 0) {
    return {
      ok: false,
      detail: `The signed checkpoint is not the receipt's checkpoint: ${problems.join("; ")}.`,
    };
  }
  return { ok: true, text };
}

/**
 * The `logSignature` step: the note opens with the pinned log key and is the receipt's own
 * checkpoint. A receipt without one (issued before checkpoints were signed) passes as not
 * checked, never as a pass, unless the verifier asked for witnesses, who cosign only signed
 * checkpoints: then it fails.
 */
export async function checkLogSignature(
  note: string | undefined,
  checkpoint: { treeSize: number; rootHash: string },
  trust: TrustRoot,
  tlogProof?: { text: string; index: number; inclusionProof: string[] },
): Promise<SignatureCheck> {
  const quorum = quorumOf(trust);
  // Another tool may read the receipt's tlog-proof instead of its fields: they must say the same.
  if (
    tlogProof !== undefined &&
    (note === undefined ||
      tlogProof.text !== formatTlogProof(tlogProof.index, tlogProof.inclusionProof, note))
  ) {
    return {
      ok: false,
      detail:
        "The receipt's tlogProof is not its leaf index, inclusion proof and signed checkpoint in the tlog-proof format.",
    };
  }
  if (note === undefined) {
    return quorum > 0
      ? {
          ok: false,
          detail: `The receipt carries no signed checkpoint, and ${plural(quorum, "witness was", "witnesses were")} asked for. Receipts issued before the log signed its checkpoints carry none: verify with a quorum of 0 to check one without witnesses.`,
        }
      : {
          ok: true,
          unchecked: true,
          detail: `Not checked: the receipt carries no signed checkpoint (receipts issued before the log signed its checkpoints carry none)${trust.logKey === undefined ? "" : ", so the pinned log key's signature is absent"}.`,
        };
  }
  let key: VerifierKey | undefined;
  try {
    key = trust.logKey === undefined ? undefined : parseVerifierKey(trust.logKey);
  } catch (error) {
    return { ok: false, detail: `The pinned log key is not usable: ${errorText(error)}.` };
  }
  if (key && key.type !== ED25519) {
    return { ok: false, detail: "The pinned log key is not an Ed25519 note key (type 0x01)." };
  }
  const origin = key ? (trust.logOrigin ?? key.name) : undefined;
  const matched = checkpointText(note, checkpoint, origin);
  if (!matched.ok) return matched;
  if (!key) {
    return {
      ok: true,
      detail: `The signed checkpoint is of size ${checkpoint.treeSize} with this root; no log key is pinned, so its signature is not checked.`,
    };
  }
  try {
    const { verified } = await openNote(note, [key]);
    if (verified.length === 0) {
      return {
        ok: false,
        detail: `The checkpoint is not signed by the pinned log key ${key.name}+${key.keyId.toString(16).padStart(8, "0")}.`,
      };
    }
  } catch (error) {
    return { ok: false, detail: `The log's signature does not verify: ${errorText(error)}.` };
  }
  return {
    ok: true,
    detail: `The log ${origin} signed this checkpoint (size ${checkpoint.treeSize}) with its pinned key.`,
  };
}

/** The trusted witnesses' keys, each public key once: a witness listed twice counts once. */
function trustedWitnesses(trust: TrustRoot): VerifierKey[] {
  const keys: VerifierKey[] = [];
  for (const vkey of trust.witnesses ?? []) {
    const key = parseVerifierKey(vkey);
    // A 0x01 key would "cosign" by the log's own kind of signature, without a time.
    if (key.type !== COSIGNATURE_V1) {
      throw new Error(`${key.name} is not a cosignature/v1 key (type 0x04)`);
    }
    const bytes = encodeBase64(key.publicKey);
    if (!keys.some((k) => encodeBase64(k.publicKey) === bytes)) keys.push(key);
  }
  return keys;
}

/**
 * Why a receipt from an honest operator can lack cosignatures: it is anchored, and downloadable,
 * a moment before the witnesses cosign its checkpoint; the operator's copy gains them then.
 */
export const TOO_FEW_COSIGNATURES =
  "The receipt may have been downloaded before the witnesses cosigned its checkpoint: download it again from the operator and verify that copy.";

/**
 * The `witnesses` step: how many distinct trusted witnesses cosigned the note's text; ok iff at
 * least the verifier's quorum. Cosignatures by witnesses it does not trust are ignored, and so
 * (named) are ones dated ahead of `nowSeconds` beyond the skew; a trusted witness's invalid
 * signature fails the step.
 */
export async function checkWitnesses(
  note: string | undefined,
  checkpoint: { treeSize: number; rootHash: string },
  trust: TrustRoot,
  nowSeconds: number,
): Promise<SignatureCheck> {
  const quorum = quorumOf(trust);
  let keys: VerifierKey[];
  try {
    keys = trustedWitnesses(trust);
  } catch (error) {
    return { ok: false, detail: `A trusted witness key is not usable: ${errorText(error)}.` };
  }
  if (quorum > keys.length) {
    return {
      ok: false,
      detail: `${plural(quorum, "witness is", "witnesses are")} asked for, but only ${plural(keys.length, "witness is", "witnesses are")} trusted.`,
    };
  }
  if (note === undefined) {
    return quorum > 0
      ? { ok: false, detail: "No witness cosigned: the receipt carries no signed checkpoint." }
      : { ok: true, detail: "No witnesses were asked for." };
  }
  const matched = checkpointText(note, checkpoint, undefined);
  if (!matched.ok) return matched;
  let opened: Awaited<ReturnType<typeof openNote>>;
  try {
    opened = await openNote(note, keys);
  } catch (error) {
    return {
      ok: false,
      detail: `A trusted witness's cosignature does not verify: ${errorText(error)}.`,
    };
  }
  // A time ahead of ours is not counted (a witness's wrong clock must not fail every receipt
  // when k others cosigned), but it is named.
  const future = opened.verified.filter(
    (v) => (v.timestamp ?? 0) > nowSeconds + COSIGNATURE_CLOCK_SKEW_SECONDS,
  );
  const counted = opened.verified.filter((v) => !future.includes(v));
  const names = counted.map((v) => `${v.key.name} at ${isoTime(v.timestamp ?? 0)}`);
  const ignored = opened.signatures.filter(
    (s) => !keys.some((k) => k.name === s.name && k.keyId === s.keyId),
  ).length;
  const tally = `${plural(counted.length, "trusted witness", "trusted witnesses")} cosigned${names.length > 0 ? ` (${names.join("; ")})` : ""}, ${quorum} needed`;
  const dated =
    future.length > 0
      ? `; not counted, dated in the future: ${future.map((v) => `${v.key.name} at ${isoTime(v.timestamp ?? 0)}`).join(", ")}`
      : "";
  const others =
    ignored > 0
      ? `; ${plural(ignored, "other signature", "other signatures")} (the log's own, witnesses not trusted) not counted`
      : "";
  if (counted.length >= quorum) return { ok: true, detail: `${tally}${dated}${others}.` };
  return { ok: false, detail: `${tally}${dated}${others}. ${TOO_FEW_COSIGNATURES}` };
}

function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? `${seconds} s` : date.toISOString();
}
