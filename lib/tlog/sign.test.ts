import { describe, expect, it } from "vitest";
import { formatCheckpoint } from "./checkpoint";
import { NoteError, openNote, parseVerifierKey } from "./note";
import { cosign, generateSignerKey, parseSignerKey, signNote } from "./sign";

const PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_LINE =
  "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const TEXT = formatCheckpoint({
  origin: "example.test/log",
  size: 7,
  rootHash: new Uint8Array(32).fill(7),
});

describe("signer keys", () => {
  it("reads x/mod's example key and derives its verifier key", () => {
    const key = parseSignerKey(PETER_SKEY);
    expect(key).toMatchObject({ name: "PeterNeumann", keyId: 0xc74f20a3, type: 0x01 });
    expect(key.vkey).toBe("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  });

  it("generates keys of either type that read back", () => {
    for (const type of [0x01, 0x04] as const) {
      const { skey, vkey } = generateSignerKey("witness.example/a", type);
      const key = parseSignerKey(skey);
      expect(key.vkey).toBe(vkey);
      expect(parseVerifierKey(vkey)).toMatchObject({
        name: "witness.example/a",
        type,
        keyId: key.keyId,
      });
    }
    expect(() => generateSignerKey("a b", 0x01)).toThrow(NoteError);
  });

  it.each([
    ["no prefix", PETER_SKEY.slice("PRIVATE+KEY+".length), /must start with/],
    ["a wrong key id", PETER_SKEY.replace("c74f20a3", "c74f20a4"), /does not match/],
    ["a bad name", PETER_SKEY.replace("PeterNeumann", "Peter Neumann"), /must be PRIVATE\+KEY/],
    [
      "no name or key id",
      "PRIVATE+KEY+AYEKFALVFGyNhPJEMzD1+QIDr+Y7hfZx09iUvxdXHKDFz",
      /must be PRIVATE\+KEY/,
    ],
    ["an upper-case key id", PETER_SKEY.replace("c74f20a3", "C74F20A3"), /must be PRIVATE\+KEY/],
    ["a short seed", PETER_SKEY.replace("KDFz", "KA=="), /32 bytes/],
    ["an unknown type", PETER_SKEY.replace("+AYEK", "+AoEK"), /unsupported key type/],
    ["bad base64", PETER_SKEY.slice(0, -1), /not valid base64/],
  ])("refuses %s without revealing the seed", (_, skey, message) => {
    expect(() => parseSignerKey(skey)).toThrow(message);
    try {
      parseSignerKey(skey);
    } catch (error) {
      expect((error as Error).message).not.toContain("FALVFGyNhPJEMzD1");
    }
  });
});

describe("signing", () => {
  it("reproduces x/mod's example signature exactly", () => {
    expect(signNote(PETER_TEXT, parseSignerKey(PETER_SKEY))).toBe(PETER_LINE);
  });

  it("signs a checkpoint that opens with the log key and two cosignatures", async () => {
    const log = parseSignerKey(generateSignerKey("example.test/log", 0x01).skey);
    const w1 = parseSignerKey(generateSignerKey("w1.example", 0x04).skey);
    const w2 = parseSignerKey(generateSignerKey("w2.example", 0x04).skey);
    const note = `${TEXT}\n${signNote(TEXT, log)}${cosign(TEXT, w1, 1700000000)}${cosign(TEXT, w2, 1700000001)}`;
    const keys = [log, w1, w2].map((k) => parseVerifierKey(k.vkey));
    const opened = await openNote(note, keys);
    expect(opened.verified.map((v) => [v.key.name, v.timestamp])).toEqual([
      ["example.test/log", undefined],
      ["w1.example", 1700000000],
      ["w2.example", 1700000001],
    ]);
    // A cosignature read as a note signature (or the reverse) is another key id: ignored.
    await expect(openNote(note.replace("\n7\n", "\n8\n"), keys)).rejects.toThrow(
      /invalid signature by/,
    );
  });

  it("refuses the wrong key type, bad text and bad times", () => {
    const log = parseSignerKey(generateSignerKey("log", 0x01).skey);
    const witness = parseSignerKey(generateSignerKey("w", 0x04).skey);
    expect(() => signNote(TEXT, witness)).toThrow(/needs a type 0x01 key/);
    expect(() => cosign(TEXT, log, 1)).toThrow(/needs a type 0x04 key/);
    expect(() => signNote("no newline", log)).toThrow(/end with a newline/);
    expect(() => signNote("a\n\nb\n", log)).toThrow(/blank line/);
    expect(() => signNote("a\tb\n", log)).toThrow(/control characters/);
    expect(() => cosign(TEXT, witness, -5)).toThrow(/whole number of seconds/);
  });
});
