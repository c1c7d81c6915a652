import { describe, expect, it } from "vitest";
import { formatCheckpoint } from "@/lib/tlog/checkpoint";
import { formatNote } from "@/lib/tlog/note";
import { cosign, generateSignerKey, parseSignerKey, signNote } from "@/lib/tlog/sign";
import { witnessLabel, witnessTally } from "./witnessing";

const NOW = 1_796_000_000;
const text = formatCheckpoint({
  origin: "prizeledger.test",
  size: 3,
  rootHash: new Uint8Array(32),
});

function keyPair(name: string, type: 0x01 | 0x04) {
  const { skey, vkey } = generateSignerKey(name, type);
  return { signer: parseSignerKey(skey), vkey };
}

const log = keyPair("prizeledger.test", 0x01);
const alice = keyPair("witness-a.test", 0x04);
const bob = keyPair("witness-b.test", 0x04);
const carol = keyPair("witness-c.test", 0x04);
const witnessing = { witnesses: [alice.vkey, bob.vkey, carol.vkey], quorum: 2 };

function note(...cosigners: (typeof alice)[]): string {
  return formatNote(text, [
    signNote(text, log.signer),
    ...cosigners.map((w) => cosign(text, w.signer, NOW)),
  ]);
}

describe("how far a receipt's checkpoint is witnessed", () => {
  it("waits while fewer than the quorum of the operator's witnesses cosigned", () => {
    const tally = witnessTally(note(alice), witnessing);
    expect(tally).toEqual({ cosigned: 1, quorum: 2, of: 3, witnessed: false });
    expect(witnessLabel(tally)).toBe("waiting for witnesses (1 of 2)");
  });

  it("is witnessed once the quorum cosigned, counted of the witnesses named", () => {
    const tally = witnessTally(note(alice, bob), witnessing);
    expect(tally.witnessed).toBe(true);
    expect(witnessLabel(tally)).toBe("witnessed by 2 of 3");
  });

  it("counts neither the log's own signature nor a witness the operator does not name", () => {
    const stranger = keyPair("witness-a.test", 0x04);
    expect(witnessTally(note(stranger), witnessing).cosigned).toBe(0);
  });

  it("counts nothing in a receipt without a signed checkpoint, or with a malformed one", () => {
    expect(witnessTally(undefined, witnessing).cosigned).toBe(0);
    expect(witnessTally("not a note", witnessing).cosigned).toBe(0);
  });
});
