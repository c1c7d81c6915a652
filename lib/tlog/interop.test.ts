import { describe, expect, it } from "vitest";
import { interopEnabled, runCheck } from "@/test/interop/checker";
import { formatCheckpoint } from "./checkpoint";
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
});
