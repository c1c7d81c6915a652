/**
 * How far a receipt's checkpoint is witnessed: how many of the operator's witnesses have a
 * cosignature line in its signed checkpoint, against the quorum the operator publishes (and
 * verifiers default to). Browser-safe: the player's pages count as they poll. It only counts the
 * lines the site itself appended after checking them; /verify checks each signature.
 */
import { parseNote, parseVerifierKey } from "@/lib/tlog/note";

/** The operator's witnesses (their vkeys) and its quorum; absent where it names none. */
export type Witnessing = { witnesses: string[]; quorum: number };

export type WitnessTally = {
  cosigned: number;
  quorum: number;
  /** How many witnesses the operator names (a quorum may be fewer). */
  of: number;
  witnessed: boolean;
};

export function witnessTally(note: string | undefined, witnessing: Witnessing): WitnessTally {
  const cosigned = note === undefined ? 0 : countCosigners(note, witnessing.witnesses);
  return {
    cosigned,
    quorum: witnessing.quorum,
    of: witnessing.witnesses.length,
    witnessed: cosigned >= witnessing.quorum,
  };
}

function countCosigners(note: string, witnesses: string[]): number {
  let signatures: ReturnType<typeof parseNote>["signatures"];
  try {
    signatures = parseNote(note).signatures;
  } catch {
    return 0;
  }
  return witnesses.filter((vkey) => {
    const key = parseVerifierKey(vkey);
    return signatures.some((s) => s.name === key.name && s.keyId === key.keyId);
  }).length;
}

/**
 * "witnessed by 2 of 3" (of the witnesses named) once the quorum cosigned, else "waiting for
 * witnesses (1 of 2)" (of the quorum, what is still needed).
 */
export function witnessLabel({ cosigned, quorum, of, witnessed }: WitnessTally): string {
  return witnessed
    ? `witnessed by ${cosigned} of ${of}`
    : `waiting for witnesses (${cosigned} of ${quorum})`;
}
