import "server-only";
import { EMPTY_ROOT, verifyConsistency } from "@/lib/ledger/merkle";
import { COSIGNATURE_CLOCK_SKEW_SECONDS } from "@/lib/ledger/signed-checkpoint";
import type { Log } from "@/lib/log";
/**
 * A c2sp.org/tlog-witness for one Prizeledger log: it cosigns a checkpoint only when the log
 * signed it, it is consistent with the last one it cosigned, and (the Prizeledger extension) the
 * ledger contract on chain holds the same root for that size. See README "Run a witness".
 */
import { decodeBase64, encodeBase64 } from "@/lib/tlog/base64";
import { type Checkpoint, parseCheckpoint } from "@/lib/tlog/checkpoint";
import { formatNote, NoteError, openNote, parseNote, parseVerifierKey } from "@/lib/tlog/note";
import { cosign, type SignerKey } from "@/lib/tlog/sign";
import { type AddCheckpoint, parseAddCheckpoint } from "@/lib/tlog/witness-protocol";
import {
  appendEvidence,
  type Latest,
  type Pin,
  readState,
  type WitnessState,
  writeState,
} from "./state";

/** What the contract says about a tree size: its root, nothing yet, or no answer at all. */
export type ChainRoot =
  | { kind: "anchored"; root: Uint8Array }
  | { kind: "absent"; confirmations?: number }
  | { kind: "unreachable"; reason: string };

/** Reads `checkpointAt(size)` from the pinned contract on the pinned chain. */
export type ChainAnchors = { rootAt(size: number): Promise<ChainRoot> };

export type WitnessAnswer = { status: number; headers: Record<string, string>; body: string };

export type WitnessOptions = {
  dataDir: string;
  key: SignerKey;
  pin: Pin;
  state: WitnessState;
  anchors: ChainAnchors;
  log: Log;
  /** Milliseconds since the epoch; the cosignature's time is its whole seconds. */
  now?: () => number;
};

/** How long a log should wait before retrying when the chain could not confirm a checkpoint. */
export const RETRY_AFTER_SECONDS = 5;
/**
 * Requests waiting for the one queue beyond this get a 503: an honest log sends one at a time,
 * and a flood must not hold its request back until the log's client times out.
 */
export const MAX_WAITING = 8;

const TEXT = "text/plain; charset=utf-8";

/** A refusal (or any plain answer) in words. */
export function refuse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): WitnessAnswer {
  return { status, headers: { "content-type": TEXT, ...headers }, body: `${message}\n` };
}

/** The 409 answer: the size the witness last cosigned, for the log to build its next proof from. */
function conflict(size: number): WitnessAnswer {
  return { status: 409, headers: { "content-type": "text/x.tlog.size" }, body: `${size}\n` };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

class Refusal extends Error {
  constructor(readonly answer: WitnessAnswer) {
    super(answer.body);
  }
}

export function createWitness(options: WitnessOptions) {
  const { dataDir, key, pin, anchors, log } = options;
  const now = options.now ?? Date.now;
  const logKey = parseVerifierKey(pin.logKey);
  let state = options.state;
  // One log per witness, so one queue serializes every add-checkpoint that reaches the check of
  // the old size: two requests never both pass it against the same stored size.
  let queue: Promise<unknown> = Promise.resolve();
  let waiting = 0;

  function latest(): Latest | undefined {
    return state.logs[pin.origin];
  }

  /** The checks that need no state: form (400), origin (404), the log's signature (403). */
  async function authenticate(
    body: string,
  ): Promise<{ request: AddCheckpoint; checkpoint: Checkpoint; logLine: string }> {
    let request: AddCheckpoint;
    let text: string;
    let checkpoint: Checkpoint;
    try {
      request = parseAddCheckpoint(body);
      text = parseNote(request.note).text;
      checkpoint = parseCheckpoint(text);
    } catch (error) {
      throw new Refusal(
        refuse(400, `malformed add-checkpoint request: ${(error as Error).message}`),
      );
    }
    if (checkpoint.extensions.length > 0) {
      // A cosignature vouches for the whole text; the contract anchors only the size and root.
      throw new Refusal(
        refuse(
          400,
          "this witness cosigns no checkpoint with extension lines: it cannot check them",
        ),
      );
    }
    if (checkpoint.origin !== pin.origin) {
      throw new Refusal(
        refuse(404, `this witness does not witness the log "${checkpoint.origin.slice(0, 100)}"`),
      );
    }
    let logLine: string | undefined;
    try {
      const opened = await openNote(request.note, [logKey]);
      // openNote checked the first line of the log's key; the others are not kept.
      if (opened.verified.length > 0) logLine = opened.signatures.find(isLogs)?.line;
    } catch (error) {
      if (!(error instanceof NoteError)) throw error;
    }
    if (logLine === undefined) {
      throw new Refusal(
        refuse(403, `the checkpoint carries no valid signature by the log's key ${logKey.name}`),
      );
    }
    if (request.oldSize > checkpoint.size) {
      throw new Refusal(
        refuse(
          400,
          `old size ${request.oldSize} is larger than the checkpoint's size ${checkpoint.size}`,
        ),
      );
    }
    return { request, checkpoint, logLine };
  }

  function isLogs(signature: { name: string; keyId: number }): boolean {
    return signature.name === logKey.name && signature.keyId === logKey.keyId;
  }

  /** The checks against what this witness last cosigned: 409 and the consistency proof (422). */
  function checkConsistent(request: AddCheckpoint, checkpoint: Checkpoint): void {
    const last = latest();
    const lastSize = last?.size ?? 0;
    const lastRoot = last ? decodeBase64(last.root) : EMPTY_ROOT;
    if (request.oldSize !== lastSize) throw new Refusal(conflict(lastSize));
    if (checkpoint.size === lastSize && last && !sameBytes(checkpoint.rootHash, lastRoot)) {
      throw new Refusal(conflict(lastSize));
    }
    if (
      !verifyConsistency(lastSize, checkpoint.size, lastRoot, checkpoint.rootHash, request.proof)
    ) {
      throw new Refusal(
        refuse(
          422,
          `the consistency proof from size ${lastSize} to ${checkpoint.size} does not verify`,
        ),
      );
    }
  }

  /**
   * The Prizeledger extension: the contract must hold this very root for this size. A chain it
   * cannot read, or a size not anchored yet, is a 503 (the log retries); a different root is
   * evidence of a log that signs one tree and anchors another, refused and logged loudly.
   */
  async function checkAnchored(checkpoint: Checkpoint): Promise<void> {
    if (checkpoint.size === 0) {
      if (sameBytes(checkpoint.rootHash, EMPTY_ROOT)) return;
      throw new Refusal(refuse(422, "a checkpoint of size 0 must have the empty tree's root"));
    }
    const onChain = await anchors.rootAt(checkpoint.size);
    const retry = { "retry-after": String(RETRY_AFTER_SECONDS) };
    if (onChain.kind === "unreachable") {
      log.warning("witness.chain_unreachable", { size: checkpoint.size, reason: onChain.reason });
      throw new Refusal(refuse(503, `the chain could not be read: ${onChain.reason}`, retry));
    }
    if (onChain.kind === "absent") {
      const deep = (onChain.confirmations ?? 1) > 1 ? ` ${onChain.confirmations} blocks deep` : "";
      throw new Refusal(
        refuse(
          503,
          `the ledger contract holds no checkpoint of size ${checkpoint.size} yet${deep}`,
          retry,
        ),
      );
    }
    if (!sameBytes(onChain.root, checkpoint.rootHash)) {
      log.error(
        "witness.log_misbehaved",
        new Error("the log signed a root the ledger contract does not hold for that size"),
        {
          origin: pin.origin,
          size: checkpoint.size,
          signedRoot: encodeBase64(checkpoint.rootHash),
          contractRoot: encodeBase64(onChain.root),
          contract: pin.contract,
          chainId: pin.chainId,
        },
      );
      throw new Refusal(
        refuse(
          422,
          `the ledger contract ${pin.contract} holds a different root for size ${checkpoint.size}: not cosigned`,
        ),
      );
    }
  }

  /**
   * Persists, compare-and-swap on the old size, before the cosignature is handed out. On a
   * conflict or a failed write the memory takes what the disk holds, so the next check and the
   * next compare-and-swap agree on the size the log is told.
   */
  function persist(oldSize: number, entry: Latest): void {
    try {
      const onDisk = readState(dataDir) ?? state;
      if ((onDisk.logs[pin.origin]?.size ?? 0) !== oldSize) {
        throw new Refusal(conflict(onDisk.logs[pin.origin]?.size ?? 0));
      }
      const next: WitnessState = { ...onDisk, logs: { ...onDisk.logs, [pin.origin]: entry } };
      appendEvidence(dataDir, { origin: pin.origin, ...entry });
      writeState(dataDir, next);
      state = next;
    } catch (error) {
      resynchronise();
      throw error;
    }
  }

  function resynchronise(): void {
    try {
      state = readState(dataDir) ?? state;
    } catch {
      // A state that cannot be read now keeps the memory's; the write's own error is reported.
    }
  }

  /**
   * The checkpoint this witness last cosigned, sent again (its published note is public): the
   * spec's checks all pass, so it is answered with the stored cosignature, without a chain call
   * or a write that anyone could repeat at will. Undefined for any other request.
   */
  function replayed(request: AddCheckpoint, checkpoint: Checkpoint): WitnessAnswer | undefined {
    const last = latest();
    if (!last || checkpoint.size !== last.size || request.oldSize !== last.size) return undefined;
    checkConsistent(request, checkpoint);
    const ours = parseNote(last.note).signatures.at(-1);
    if (!ours || ours.name !== key.name) return undefined;
    return { status: 200, headers: { "content-type": TEXT }, body: ours.line };
  }

  /**
   * The last cosignature is dated ahead of the clock beyond the skew: one bad clock reading (say,
   * briefly 2030) would otherwise be carried into every later cosignature, which verifiers do not
   * count. Refused until the clock catches up or an operator looks.
   */
  function checkClock(clock: number): void {
    const last = latest()?.cosignedAt ?? 0;
    if (last <= clock + COSIGNATURE_CLOCK_SKEW_SECONDS) return;
    log.error(
      "witness.clock_behind_last_cosignature",
      new Error("the last cosignature is dated ahead of this witness's clock"),
      { origin: pin.origin, lastCosignedAt: last, clock },
    );
    throw new Refusal(
      refuse(
        503,
        `this witness's last cosignature is dated ${new Date(last * 1000).toISOString()}, ahead of its clock: it cosigns nothing until its operator has looked`,
      ),
    );
  }

  async function cosignChecked(
    request: AddCheckpoint,
    checkpoint: Checkpoint,
    logLine: string,
  ): Promise<WitnessAnswer> {
    checkConsistent(request, checkpoint);
    const clock = Math.floor(now() / 1000);
    checkClock(clock);
    await checkAnchored(checkpoint);
    // Never before the last cosignature: a clock stepped back would make two contradict.
    const cosignedAt = Math.max(clock, latest()?.cosignedAt ?? 0);
    const text = parseNote(request.note).text;
    const line = cosign(text, key, cosignedAt);
    persist(request.oldSize, {
      size: checkpoint.size,
      root: encodeBase64(checkpoint.rootHash),
      // The evidence holds what was checked and signed; other lines are the sender's choice.
      note: formatNote(text, [logLine, line]),
      cosignedAt,
    });
    log.info("witness.cosigned", { origin: pin.origin, size: checkpoint.size });
    return { status: 200, headers: { "content-type": TEXT }, body: line };
  }

  /** POST /add-checkpoint: never throws for bad input; each refusal is an answer in words. */
  async function addCheckpoint(body: string): Promise<WitnessAnswer> {
    try {
      const { request, checkpoint, logLine } = await authenticate(body);
      const replay = replayed(request, checkpoint);
      if (replay) return replay;
      if (waiting >= MAX_WAITING) {
        return refuse(503, "the witness is busy with other requests: try again", {
          "retry-after": String(RETRY_AFTER_SECONDS),
        });
      }
      waiting++;
      const turn = queue.then(() => cosignChecked(request, checkpoint, logLine));
      queue = turn.catch(() => {});
      turn.finally(() => waiting--).catch(() => {});
      return await turn;
    } catch (error) {
      if (error instanceof Refusal) return error.answer;
      throw error;
    }
  }

  return {
    addCheckpoint,
    /** GET /: who this witness is and how far it has seen the log. */
    describe: () => ({
      name: key.name,
      vkey: key.vkey,
      logs: [
        {
          origin: pin.origin,
          logKey: pin.logKey,
          chainId: pin.chainId,
          contract: pin.contract,
          size: latest()?.size ?? 0,
        },
      ],
    }),
    /** Resolves once the request being cosigned (if any) has been persisted and answered. */
    idle: () => queue.then(() => {}),
  };
}

export type Witness = ReturnType<typeof createWitness>;
