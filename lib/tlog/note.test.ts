import { utf8ToBytes } from "@noble/hashes/utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { decodeBase64 } from "./base64";
import { cosignatureMessage, parseCosignature } from "./cosignature";
import { verifyEd25519 } from "./ed25519";
import {
  assertDistinctKeys,
  formatNote,
  formatVerifierKey,
  keyId,
  NoteError,
  openNote,
  parseNote,
  parseVerifierKey,
} from "./note";
import { generateSignerKey } from "./sign";

// The example in golang.org/x/mod/sumdb/note's documentation.
const PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_LINE =
  "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const PETER_NOTE = `${PETER_TEXT}\n${PETER_LINE}`;
// x/mod's test key: its base64 contains "+", so only the first two "+" separate fields.
const TEST_VKEY = "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6";
// A public witness's cosignature/v1 key.
const REMORA_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2";

describe("verifier keys", () => {
  it("reads x/mod's keys, cutting at the first two '+'", () => {
    const peter = parseVerifierKey(PETER_VKEY);
    expect(peter).toMatchObject({
      name: "PeterNeumann",
      keyId: 0xc74f20a3,
      type: 0x01,
      vkey: PETER_VKEY,
    });
    expect(peter.publicKey).toHaveLength(32);
    const test = parseVerifierKey(TEST_VKEY);
    expect(test).toMatchObject({ name: "TEST", keyId: 0x7997405c, type: 0x01 });
    expect(formatVerifierKey("TEST", 0x01, test.publicKey)).toBe(TEST_VKEY);
  });

  it("computes a cosignature key's id over type 0x04", () => {
    const remora = parseVerifierKey(REMORA_VKEY);
    expect(remora).toMatchObject({ name: "remora.n621.de", keyId: 0xda77ade7, type: 0x04 });
    expect(keyId(remora.name, 0x04, remora.publicKey)).toBe(0xda77ade7);
    // The same public key as type 0x01 is another key.
    expect(keyId(remora.name, 0x01, remora.publicKey)).not.toBe(0xda77ade7);
  });

  it.each([
    ["no separators", "PeterNeumann", /name\+keyid\+base64/],
    [
      "a wrong key id",
      "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
      /does not match/,
    ],
    [
      "an upper-case key id",
      "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
      /hex digits/,
    ],
    [
      "a short key id",
      "PeterNeumann+c74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
      /hex digits/,
    ],
    ["an empty name", "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", /key name/],
    [
      "a space in the name",
      "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
      /key name/,
    ],
    [
      "an unknown type",
      "PeterNeumann+c74f20a3+Alpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
      /key type 0x02/,
    ],
    [
      "a short key",
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10Q=",
      /32 bytes/,
    ],
    ["bad base64", "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", /base64/],
  ])("refuses %s", (_, vkey, message) => {
    expect(() => parseVerifierKey(vkey)).toThrow(NoteError);
    expect(() => parseVerifierKey(vkey)).toThrow(message);
  });
});

describe("parsing notes", () => {
  it("splits text from signatures at the last blank line", () => {
    const { text, signatures } = parseNote(PETER_NOTE);
    expect(text).toBe(PETER_TEXT);
    expect(signatures).toHaveLength(1);
    expect(signatures[0]).toMatchObject({
      name: "PeterNeumann",
      keyId: 0xc74f20a3,
      line: PETER_LINE,
    });
    expect(signatures[0]?.signature).toHaveLength(64);
  });

  const hundredLines = PETER_LINE.repeat(101);
  it.each([
    ["no blank line", `${PETER_TEXT}${PETER_LINE}`, /no blank line/],
    ["no signature", `${PETER_TEXT}\n`, /signatures must follow/],
    ["no final newline", `${PETER_TEXT}\n${PETER_LINE.slice(0, -1)}`, /signatures must follow/],
    ["a carriage return", PETER_NOTE.replace("problem,\n", "problem,\r\n"), /control characters/],
    ["a tab", PETER_NOTE.replace("If you", "If\tyou"), /control characters/],
    ["a lone surrogate", PETER_NOTE.replace("If", "I\ud800f"), /invalid UTF-8/],
    ["a line without the dash", `${PETER_TEXT}\n- PeterNeumann AAAAAAA=\n`, /must start with/],
    ["a line without a space", `${PETER_TEXT}\n— PeterNeumannAAAAAAA=\n`, /a space must separate/],
    ["a name with '+'", `${PETER_TEXT}\n— Peter+Neumann AAAAAAA=\n`, /key name/],
    ["a signature under 5 bytes", `${PETER_TEXT}\n— PeterNeumann AAAAAA==\n`, /too short/],
    ["a signature in bad base64", `${PETER_TEXT}\n— PeterNeumann AAAAAAA\n`, /base64/],
    ["over 100 signatures", `${PETER_TEXT}\n${hundredLines}`, /more than 100/],
  ])("refuses %s", (_, note, message) => {
    expect(() => parseNote(note)).toThrow(NoteError);
    expect(() => parseNote(note)).toThrow(message);
  });

  it("joins text and signature lines into a note, refusing a malformed one", () => {
    expect(formatNote(PETER_TEXT, [PETER_LINE])).toBe(PETER_NOTE);
    expect(() => formatNote(PETER_TEXT, [])).toThrow(NoteError);
    expect(() => formatNote(PETER_TEXT, [PETER_LINE.trimEnd()])).toThrow(NoteError);
  });

  it("quotes hostile input in its errors only in part", () => {
    const long = `${PETER_TEXT}\n— ${"x".repeat(100_000)}\n`;
    expect(() => parseNote(long)).toThrow(NoteError);
    try {
      parseNote(long);
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(200);
    }
  });

  it("accepts 100 signatures", () => {
    expect(parseNote(`${PETER_TEXT}\n${PETER_LINE.repeat(100)}`).signatures).toHaveLength(100);
  });
});

describe("opening notes", () => {
  const peter = parseVerifierKey(PETER_VKEY);

  it("verifies x/mod's example note", async () => {
    const opened = await openNote(PETER_NOTE, [peter]);
    expect(opened.text).toBe(PETER_TEXT);
    expect(opened.verified).toEqual([{ key: peter }]);
  });

  it("ignores signatures by unknown keys and requires none", async () => {
    const opened = await openNote(PETER_NOTE, [parseVerifierKey(TEST_VKEY)]);
    expect(opened.verified).toEqual([]);
    expect(opened.signatures).toHaveLength(1);
    // Same name, another key id: not the same key.
    const other = { ...peter, keyId: peter.keyId ^ 1 };
    expect((await openNote(PETER_NOTE, [other])).verified).toEqual([]);
  });

  it("counts a key's repeated signature once", async () => {
    const opened = await openNote(`${PETER_NOTE}${PETER_LINE}`, [peter]);
    expect(opened.verified).toHaveLength(1);
    expect(opened.signatures).toHaveLength(2);
  });

  it("rejects a tampered text or signature by a known key", async () => {
    const tampered = PETER_NOTE.replace("answer", "Answer");
    await expect(openNote(tampered, [peter])).rejects.toThrow("invalid signature by PeterNeumann");
    const flipped = PETER_NOTE.replace("x08go/", "x08go+");
    await expect(openNote(flipped, [peter])).rejects.toThrow(NoteError);
    // ...but not when nobody asked for that key.
    expect((await openNote(tampered, [])).verified).toEqual([]);
  });

  it("refuses two trusted keys that a signature line names alike, in either order", async () => {
    // A key id that collides is 2^32 tries away; a hand-set one stands in for it.
    const impostor = { ...parseVerifierKey(TEST_VKEY), name: peter.name, keyId: peter.keyId };
    for (const keys of [
      [peter, impostor],
      [impostor, peter],
    ]) {
      await expect(openNote(PETER_NOTE, keys)).rejects.toThrow(
        "ambiguous key PeterNeumann+c74f20a3: two trusted keys share this name and key id",
      );
      expect(() => assertDistinctKeys(keys)).toThrow(NoteError);
    }
    expect(() => assertDistinctKeys([peter, parseVerifierKey(TEST_VKEY)])).not.toThrow();
  });

  it("refuses one public key under two names", () => {
    const { vkey } = generateSignerKey("witness-a.test", 0x04);
    const a = parseVerifierKey(vkey);
    const z = parseVerifierKey(formatVerifierKey("witness-z.test", 0x04, a.publicKey));
    expect(() => assertDistinctKeys([a, z])).toThrow(
      "the keys witness-a.test and witness-z.test are one public key under two names",
    );
  });
});

describe("cosignature/v1", () => {
  it("reads the timestamp of tlog-cosignature's vector", () => {
    const bytes = decodeBase64(
      "ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==",
    );
    expect(new DataView(bytes.buffer).getUint32(0)).toBe(0x646846b9);
    const { timestamp, signature } = parseCosignature(bytes.subarray(4));
    expect(timestamp).toBe(1727964367);
    expect(signature).toHaveLength(64);
  });

  it("signs the cosignature/v1 header, the time and the text", () => {
    expect(new TextDecoder().decode(cosignatureMessage(1679315147, "a\n1\nb\n"))).toBe(
      "cosignature/v1\ntime 1679315147\na\n1\nb\n",
    );
  });

  it("refuses malformed cosignatures and times", () => {
    expect(() => parseCosignature(new Uint8Array(71))).toThrow(/72 bytes/);
    const huge = new Uint8Array(72).fill(0xff);
    expect(() => parseCosignature(huge)).toThrow(/beyond any plausible date/);
    expect(() => cosignatureMessage(-1, "a\n")).toThrow(/whole number of seconds/);
    expect(() => cosignatureMessage(1.5, "a\n")).toThrow(NoteError);
  });
});

describe("Ed25519 through WebCrypto", () => {
  afterEach(() => vi.unstubAllGlobals());
  const { publicKey } = parseVerifierKey(PETER_VKEY);
  const message = utf8ToBytes(PETER_TEXT);

  it("says why it cannot verify on an insecure page or an old browser", async () => {
    vi.stubGlobal("crypto", {});
    await expect(verifyEd25519(publicKey, message, new Uint8Array(64))).rejects.toThrow(
      /secure pages \(https or localhost\)/,
    );
    const unsupported = Object.assign(new Error("Unrecognized algorithm name"), {
      name: "NotSupportedError",
    });
    vi.stubGlobal("crypto", { subtle: { importKey: () => Promise.reject(unsupported) } });
    await expect(verifyEd25519(publicKey, message, new Uint8Array(64))).rejects.toThrow(
      /has no Ed25519/,
    );
  });

  it("answers false, not an exception, for wrong lengths", async () => {
    expect(await verifyEd25519(publicKey.subarray(1), message, new Uint8Array(64))).toBe(false);
    expect(await verifyEd25519(publicKey, message, new Uint8Array(63))).toBe(false);
    expect(await verifyEd25519(publicKey, message, new Uint8Array(64))).toBe(false);
  });
});
