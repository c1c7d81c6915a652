import { describe, expect, it } from "vitest";
import { type Hash, MemoryLog } from "@/lib/ledger/merkle";
import { formatCheckpoint } from "./checkpoint";
import { formatVerifierKey, keyId, parseVerifierKey } from "./note";
import { cosign, generateSignerKey, parseSignerKey, signNote } from "./sign";
import {
  type CheckpointSources,
  type CheckpointTrust,
  MAX_CLOCK_SKEW_SECONDS,
  verifyCheckpoint,
} from "./verify-checkpoint";

const ORIGIN = "prizeledger.test/log";
const NOW = 1_765_000_000;
const log = parseSignerKey(generateSignerKey(ORIGIN, 0x01).skey);
const [w1, w2, w3] = ["w1.test", "w2.test", "w3.test"].map((name) =>
  parseSignerKey(generateSignerKey(name, 0x04).skey),
) as [
  ReturnType<typeof parseSignerKey>,
  ReturnType<typeof parseSignerKey>,
  ReturnType<typeof parseSignerKey>,
];

/** A real log of 12 leaves: checkpoints at any size up to it, with real consistency proofs. */
const tree = new MemoryLog();
for (let i = 0; i < 12; i++) tree.append(new Uint8Array([i]));

function textAt(size: number, origin = ORIGIN): string {
  return formatCheckpoint({ origin, size, rootHash: tree.root(size) });
}

function note(text: string, lines: string[] = [signNote(text, log)]): string {
  return `${text}\n${lines.join("")}`;
}

function trust(overrides: Partial<CheckpointTrust> = {}): CheckpointTrust {
  return {
    origin: ORIGIN,
    logKey: parseVerifierKey(log.vkey),
    witnesses: [w1, w2, w3].map((w) => parseVerifierKey(w.vkey)),
    quorum: 2,
    ...overrides,
  };
}

/** The tree's own proofs and roots: what an honest operator and an honest chain answer. */
function honest(anchored: Record<number, Hash> = { 12: tree.root(12) }): CheckpointSources {
  return {
    consistencyProof: async (from, to) => tree.consistencyProof(from, to),
    anchoredRoot: async (size) => anchored[size] ?? null,
  };
}

const text12 = textAt(12);
const witnessed = note(text12, [
  signNote(text12, log),
  cosign(text12, w1, NOW - 10),
  cosign(text12, w2, NOW - 5),
]);

async function verify(
  input: string,
  options: Parameters<typeof verifyCheckpoint>[3] = {},
  pinned = trust(),
  sources = honest(),
) {
  const result = await verifyCheckpoint(input, pinned, sources, { now: NOW, ...options });
  return { ...result, step: (id: string) => result.steps.find((s) => s.id === id) };
}

describe("verifyCheckpoint", () => {
  it("passes every step for a witnessed, anchored checkpoint extending the last one", async () => {
    const seen: string[] = [];
    const result = await verify(witnessed, {
      previous: { size: 5, rootHash: tree.root(5) },
      onStep: (step) => seen.push(step.id),
    });
    expect(result.steps.map((s) => [s.id, s.ok])).toEqual([
      ["logSignature", true],
      ["witnesses", true],
      ["consistency", true],
      ["onChain", true],
    ]);
    expect(seen).toEqual(["logSignature", "witnesses", "consistency", "onChain"]);
    expect(result.ok).toBe(true);
    expect(result.checkpoint?.size).toBe(12);
    expect(result.step("witnesses")?.detail).toContain(
      "2 of 3 trusted witnesses cosigned (2 required): w1.test at 2025-12-06T05:46:30.000Z",
    );
    expect(result.step("consistency")?.detail).toContain("extends the one of 5");
  });

  describe("the log signature", () => {
    it("fails without the pinned key's signature, and runs nothing else", async () => {
      const stranger = parseSignerKey(generateSignerKey(ORIGIN, 0x01).skey);
      const result = await verify(note(text12, [signNote(text12, stranger)]));
      expect(result.step("logSignature")).toMatchObject({ ok: false });
      expect(result.step("logSignature")?.detail).toContain("no signature by the pinned log key");
      expect(result.steps.slice(1).every((s) => s.skipped && !s.ok)).toBe(true);
      expect(result.ok).toBe(false);
      expect(result.checkpoint).toBeUndefined();
    });

    it("fails on a tampered root", async () => {
      const forged = witnessed.replace(text12, textAt(11).replace("\n11\n", "\n12\n"));
      const result = await verify(forged);
      expect(result.step("logSignature")?.detail).toMatch(/invalid signature by/);
    });

    it("fails for another origin, even when the pinned key signed it", async () => {
      const other = textAt(12, "elsewhere.test");
      const result = await verify(note(other, [signNote(other, log)]));
      expect(result.step("logSignature")?.detail).toContain(
        'The checkpoint is for log "elsewhere.test", the pinned log is "prizeledger.test/log".',
      );
    });

    it("fails on malformed notes and on signed text that is no checkpoint", async () => {
      expect((await verify("not a note")).step("logSignature")?.detail).toMatch(/malformed note/);
      const notCheckpoint = "hello\n";
      const result = await verify(note(notCheckpoint, [signNote(notCheckpoint, log)]));
      expect(result.step("logSignature")?.detail).toMatch(/not a checkpoint: .*three lines/);
    });

    it("refuses a witness key pinned as the log key", async () => {
      const result = await verify(witnessed, {}, trust({ logKey: parseVerifierKey(w1.vkey) }));
      expect(result.step("logSignature")?.detail).toMatch(/not an Ed25519 note key/);
    });
  });

  describe("the witnesses", () => {
    it("fails below the quorum, naming who cosigned", async () => {
      const result = await verify(witnessed, {}, trust({ quorum: 3 }));
      expect(result.step("witnesses")).toMatchObject({ ok: false });
      expect(result.step("witnesses")?.detail).toMatch(
        /^2 of 3 trusted witnesses cosigned \(3 required\)/,
      );
      expect(result.ok).toBe(false);
    });

    it("counts a witness pinned twice, or cosigning twice, once", async () => {
      const twice = note(text12, [
        signNote(text12, log),
        cosign(text12, w1, NOW),
        cosign(text12, w1, NOW - 1),
      ]);
      const pinned = trust({ witnesses: [w1, w1, w2].map((w) => parseVerifierKey(w.vkey)) });
      const result = await verify(twice, {}, pinned);
      expect(result.step("witnesses")?.detail).toMatch(/^1 of 2 trusted witnesses cosigned/);
      expect(result.step("witnesses")?.ok).toBe(false);
    });

    it("counts one public key under two names once", async () => {
      // A cosignature signs no name: relabelled with an alias and its key id, it verifies again.
      const alias = {
        ...w1,
        name: "w1-alias.test",
        keyId: keyId("w1-alias.test", 0x04, w1.publicKey),
      };
      alias.vkey = formatVerifierKey(alias.name, 0x04, w1.publicKey);
      const relabelled = note(text12, [
        signNote(text12, log),
        cosign(text12, w1, NOW),
        cosign(text12, alias, NOW),
      ]);
      const pinned = trust({ witnesses: [w1, alias].map((w) => parseVerifierKey(w.vkey)) });
      const result = await verify(relabelled, {}, pinned);
      expect(result.step("witnesses")).toMatchObject({
        ok: false,
        detail: "2 witnesses are required, but only 1 trusted.",
      });
    });

    it("ignores cosignatures by witnesses not trusted", async () => {
      const result = await verify(
        witnessed,
        {},
        trust({ witnesses: [parseVerifierKey(w3.vkey)], quorum: 1 }),
      );
      expect(result.step("witnesses")?.detail).toMatch(/^0 of 1 trusted witnesses/);
    });

    it("fails on a trusted witness's bad cosignature", async () => {
      const bad = cosign(textAt(11), w1, NOW);
      const result = await verify(
        note(text12, [signNote(text12, log), bad]),
        {},
        trust({ quorum: 0 }),
      );
      expect(result.step("witnesses")).toMatchObject({ ok: false });
      expect(result.step("witnesses")?.detail).toMatch(
        /cosignature is bad: invalid signature by w1.test/,
      );
    });

    it("does not count a cosignature dated more than the clock skew ahead", async () => {
      const ahead = note(text12, [
        signNote(text12, log),
        cosign(text12, w1, NOW + MAX_CLOCK_SKEW_SECONDS),
        cosign(text12, w2, NOW + MAX_CLOCK_SKEW_SECONDS + 1),
      ]);
      const result = await verify(ahead);
      expect(result.step("witnesses")?.ok).toBe(false);
      expect(result.step("witnesses")?.detail).toContain("1 of 3 trusted witnesses cosigned");
      expect(result.step("witnesses")?.detail).toContain("w2.test's cosignature is dated");
    });

    it("requires none when none are trusted, and refuses more than are trusted", async () => {
      const alone = note(text12);
      const none = await verify(alone, {}, trust({ witnesses: [], quorum: 0 }));
      expect(none.step("witnesses")).toMatchObject({ ok: true });
      expect(none.ok).toBe(true);
      const tooMany = await verify(alone, {}, trust({ witnesses: [], quorum: 1 }));
      expect(tooMany.step("witnesses")?.detail).toBe("1 witness is required, but only 0 trusted.");
    });

    it("refuses a log key pinned as a witness", async () => {
      const result = await verify(
        witnessed,
        {},
        trust({ witnesses: [parseVerifierKey(log.vkey)], quorum: 0 }),
      );
      expect(result.step("witnesses")?.detail).toMatch(/not a cosignature key/);
    });
  });

  describe("consistency", () => {
    it("passes with nothing to compare, and for the same checkpoint again", async () => {
      expect((await verify(witnessed)).step("consistency")?.detail).toMatch(/nothing to compare/);
      const same = await verify(witnessed, { previous: { size: 12, rootHash: tree.root(12) } });
      expect(same.step("consistency")).toMatchObject({ ok: true });
    });

    it("fails a rollback to a smaller tree", async () => {
      const text = textAt(7);
      const result = await verify(
        note(text),
        { previous: { size: 12, rootHash: tree.root(12) } },
        trust({ quorum: 0 }),
        honest({ 7: tree.root(7) }),
      );
      expect(result.step("consistency")?.detail).toBe(
        "Rollback: this checkpoint has 7 entries, one verified earlier had 12.",
      );
      expect(result.step("onChain")?.ok).toBe(true);
      expect(result.ok).toBe(false);
    });

    it("fails a fork: another root at the same size", async () => {
      const other = new MemoryLog();
      for (let i = 0; i < 12; i++) other.append(new Uint8Array([i + 1]));
      const result = await verify(witnessed, { previous: { size: 12, rootHash: other.root(12) } });
      expect(result.step("consistency")?.detail).toMatch(
        /^Fork: the log signed two roots for size 12/,
      );
    });

    it("fails when the earlier tree is not a prefix, whatever proof is served", async () => {
      const other = new MemoryLog();
      for (let i = 0; i < 5; i++) other.append(new Uint8Array([i + 1]));
      const result = await verify(witnessed, { previous: { size: 5, rootHash: other.root(5) } });
      expect(result.step("consistency")?.detail).toMatch(
        /does not show the log of 12 entries extending/,
      );
      const lying = { ...honest(), consistencyProof: async () => [] };
      const empty = await verify(
        witnessed,
        { previous: { size: 5, rootHash: tree.root(5) } },
        trust(),
        lying,
      );
      expect(empty.step("consistency")?.ok).toBe(false);
    });

    it("fails in words when the proof cannot be read", async () => {
      const down = {
        ...honest(),
        consistencyProof: async () => {
          throw new Error("http://op.test/api answered HTTP 500");
        },
      };
      const result = await verify(
        witnessed,
        { previous: { size: 5, rootHash: tree.root(5) } },
        trust(),
        down,
      );
      expect(result.step("consistency")?.detail).toBe(
        "The consistency proof could not be read: http://op.test/api answered HTTP 500.",
      );
    });
  });

  describe("on chain", () => {
    it("fails when the contract holds no checkpoint of this size, or another root", async () => {
      expect((await verify(witnessed, {}, trust(), honest({}))).step("onChain")?.detail).toBe(
        "The contract has no checkpoint of size 12.",
      );
      const other = await verify(witnessed, {}, trust(), honest({ 12: tree.root(11) }));
      expect(other.step("onChain")?.detail).toMatch(
        /^The contract holds root 0x.* for size 12, not 0x/,
      );
    });

    it("fails in words when the chain cannot be read", async () => {
      const down = {
        ...honest(),
        anchoredRoot: async () => {
          throw new Error("the node is on chain 1, the pinned ledger on 31337");
        },
      };
      const result = await verify(witnessed, {}, trust(), down);
      expect(result.step("onChain")?.detail).toBe(
        "The contract could not be read: the node is on chain 1, the pinned ledger on 31337.",
      );
    });
  });
});
