import { describe, expect, it } from "vitest";
import { interopEnabled, runCheck } from "@/test/interop/checker";
import { encodeBase64 } from "./base64";
import { formatCheckpoint } from "./checkpoint";
import { NoteError, openNote, parseVerifierKey, type VerifierKey } from "./note";
import { cosign, generateSignerKey, parseSignerKey, signNote } from "./sign";

/**
 * Our signed checkpoints, read by golang.org/x/mod/sumdb/note (the Go checksum database's code):
 * the log's Ed25519 signature and two cosignature/v1 lines must open under note.Open, and a note
 * Go signs with our key must be byte for byte ours.
 */
describe.runIf(interopEnabled())("signed notes under Go's x/mod", () => {
  const origin = "prizeledger.test/interop";
  const log = generateSignerKey(origin, 0x01);
  const witnesses = [generateSignerKey("w1.test", 0x04), generateSignerKey("w2.test", 0x04)];
  const text = formatCheckpoint({ origin, size: 70_000, rootHash: new Uint8Array(32).fill(0xab) });
  const [w1, w2] = witnesses.map((w) => parseSignerKey(w.skey));
  if (!w1 || !w2) throw new Error("two witness keys");
  const signatures = `${signNote(text, parseSignerKey(log.skey))}${cosign(text, w1, 1_765_000_000)}${cosign(text, w2, 1_765_000_042)}`;
  const note = `${text}\n${signatures}`;
  const keys = [log.vkey, ...witnesses.map((w) => w.vkey)];

  it("opens our checkpoint with the log's signature and both cosignatures", async () => {
    const out = await runCheck(["notes", ...keys], note);
    expect(out.trim().split("\n")).toEqual([
      `checkpoint ${origin} 70000 q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=`,
      `signed ${origin} ${log.vkey.split("+")[1]}`,
      `cosigned w1.test ${w1.keyId.toString(16).padStart(8, "0")} at 1765000000`,
      `cosigned w2.test ${w2.keyId.toString(16).padStart(8, "0")} at 1765000042`,
    ]);
  }, 120_000);

  it("signs the same bytes as we do with the key we generated", async () => {
    const goNote = await runCheck(["sign-note", log.skey], text);
    expect(goNote).toBe(`${text}\n${signNote(text, parseSignerKey(log.skey))}`);
  }, 120_000);

  it("ignores a signer it does not know", async () => {
    const stranger = parseSignerKey(generateSignerKey("stranger.test", 0x01).skey);
    const out = await runCheck(["notes", ...keys], `${note}${signNote(text, stranger)}`);
    expect(out).not.toContain("stranger.test");
  }, 120_000);

  it.each([
    ["a tampered size", note.replace("\n70000\n", "\n70001\n"), /invalid signature/],
    [
      "a tampered cosignature time",
      note.replace(/(— w2\.test \S{6})(\S)/, (_, a, c) => `${a}${c === "A" ? "B" : "A"}`),
      /invalid signature/,
    ],
    ["no log signature", `${text}\n${cosign(text, w1, 1)}`, /the log's key did not sign the note/],
  ])(
    "rejects %s",
    async (_, tampered, message) => {
      await expect(runCheck(["notes", ...keys], tampered)).rejects.toThrow(message);
    },
    120_000,
  );

  it("accepts no mutated note that Go rejects, and agrees on whose signatures hold", async () => {
    // A stranger's line too: what is only parsed, never verified, must be read as strictly.
    const stranger = parseSignerKey(generateSignerKey("stranger.test", 0x01).skey);
    const variants = mutations(new TextEncoder().encode(`${note}${signNote(text, stranger)}`));
    const input = variants.map((bytes) => `${encodeBase64(bytes)}\n`).join("");
    const theirs = (await runCheck(["open-notes", ...keys], input)).trim().split("\n");
    const verifiers = keys.map(parseVerifierKey);
    const ours = await Promise.all(variants.map((bytes) => openResult(bytes, verifiers)));
    expect(theirs).toHaveLength(variants.length);
    let stricter = 0;
    ours.forEach((result, i) => {
      const context = `variant ${i}: ours ${result}, Go ${theirs[i]}`;
      if (theirs[i] === "reject") expect(result, context).toMatch(/^reject/);
      else if (result.startsWith("reject")) {
        // Go's base64 ignores unused trailing bits; ours refuses them, so each value has one spelling.
        expect(result, context).toMatch(/non-zero trailing bits/);
        stricter++;
      } else expect(result, context).toBe(theirs[i]);
    });
    expect(theirs.filter((r) => r === "reject").length).toBeGreaterThan(variants.length / 2);
    expect(stricter).toBeLessThan(variants.length / 20);
  }, 120_000);
});

/** The note, then every single-byte flip, deletion and inserted newline, space, tab or "+". */
function mutations(bytes: Uint8Array): Uint8Array[] {
  const out = [bytes];
  for (let i = 0; i < bytes.length; i++) {
    const flipped = bytes.slice();
    flipped[i] = (flipped[i] ?? 0) ^ 0x01;
    out.push(flipped, new Uint8Array([...bytes.subarray(0, i), ...bytes.subarray(i + 1)]));
    for (const byte of [0x0a, 0x20, 0x09, 0x2b]) {
      out.push(new Uint8Array([...bytes.subarray(0, i), byte, ...bytes.subarray(i)]));
    }
  }
  return out;
}

/** Like the Go check's answer: "ok" and the verified names, or "reject" and why. */
async function openResult(bytes: Uint8Array, keys: VerifierKey[]): Promise<string> {
  let note: string;
  try {
    note = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return "reject: not UTF-8";
  }
  try {
    const { verified } = await openNote(note, keys);
    return ["ok", ...verified.map((v) => v.key.name)].join(" ");
  } catch (error) {
    if (error instanceof NoteError) return `reject: ${error.message}`;
    throw error;
  }
}
