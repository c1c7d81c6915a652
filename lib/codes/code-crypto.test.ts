import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "@/lib/config/env";
import {
  codeFingerprint,
  decryptCode,
  encryptCode,
  loadCodeKeys,
  normaliseCode,
  parseCodeKeys,
} from "./code-crypto";

const key = () => randomBytes(32).toString("base64");
const fingerprintKey = key();
const oldEntry = `old:${key()}`;
const newEntry = `new:${key()}`;
const before = parseCodeKeys({
  CODE_ENCRYPTION_KEYS: oldEntry,
  CODE_FINGERPRINT_KEY: fingerprintKey,
});
const after = parseCodeKeys({
  CODE_ENCRYPTION_KEYS: `${newEntry}, ${oldEntry}`,
  CODE_FINGERPRINT_KEY: fingerprintKey,
});

function problems(source: Record<string, string>): string[] {
  try {
    parseCodeKeys(source);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe("encryptCode / decryptCode", () => {
  it("round-trips a code under the current key", () => {
    const { ciphertext, keyId } = encryptCode("GIFT-1234-ABCD", before);
    expect(keyId).toBe("old");
    expect(ciphertext.length).toBe(12 + "GIFT-1234-ABCD".length + 16);
    expect(Buffer.from(ciphertext).includes("GIFT-1234-ABCD")).toBe(false);
    expect(decryptCode(ciphertext, keyId, before)).toBe("GIFT-1234-ABCD");
  });

  it("never produces the same ciphertext twice for one code", () => {
    const a = encryptCode("SAME-CODE", before).ciphertext;
    const b = encryptCode("SAME-CODE", before).ciphertext;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it("refuses altered ciphertext, IV or tag", () => {
    const { ciphertext, keyId } = encryptCode("GIFT-1234-ABCD", before);
    for (const at of [0, 12, ciphertext.length - 1]) {
      const altered = ciphertext.slice();
      altered[at] = (altered[at] ?? 0) ^ 1;
      expect(() => decryptCode(altered, keyId, before)).toThrow(/failed authentication/);
    }
    expect(() => decryptCode(ciphertext.slice(0, 20), keyId, before)).toThrow(/too short/);
  });

  it("names an unknown key id", () => {
    const { ciphertext } = encryptCode("GIFT-1234-ABCD", before);
    expect(() => decryptCode(ciphertext, "retired", before)).toThrow(
      /key id "retired".*CODE_ENCRYPTION_KEYS/,
    );
  });

  it("refuses a ciphertext under another key with the same id", () => {
    const other = parseCodeKeys({
      CODE_ENCRYPTION_KEYS: `old:${key()}`,
      CODE_FINGERPRINT_KEY: fingerprintKey,
    });
    const { ciphertext } = encryptCode("GIFT-1234-ABCD", other);
    expect(() => decryptCode(ciphertext, "old", before)).toThrow(/failed authentication/);
  });
});

describe("key rotation", () => {
  it("encrypts with the new first key and still decrypts under the old one", () => {
    const old = encryptCode("BEFORE-ROTATION", before);
    const fresh = encryptCode("AFTER-ROTATION", after);
    expect(fresh.keyId).toBe("new");
    expect(decryptCode(old.ciphertext, old.keyId, after)).toBe("BEFORE-ROTATION");
    expect(decryptCode(fresh.ciphertext, fresh.keyId, after)).toBe("AFTER-ROTATION");
    expect(() => decryptCode(fresh.ciphertext, fresh.keyId, before)).toThrow(/key id "new"/);
  });

  it("keeps fingerprints stable", () => {
    expect(codeFingerprint("GIFT-1234", after)).toEqual(codeFingerprint("GIFT-1234", before));
  });
});

describe("codeFingerprint", () => {
  it("ignores surrounding whitespace and case, but not dashes", () => {
    const fp = (code: string) => Buffer.from(codeFingerprint(code, before)).toString("hex");
    expect(normaliseCode("  gift-1234\t")).toBe("GIFT-1234");
    expect(fp("  gift-1234 ")).toBe(fp("GIFT-1234"));
    expect(fp("GIFT1234")).not.toBe(fp("GIFT-1234"));
    expect(codeFingerprint("GIFT-1234", before)).toHaveLength(32);
  });

  it("depends on the fingerprint key", () => {
    const other = parseCodeKeys({ CODE_ENCRYPTION_KEYS: oldEntry, CODE_FINGERPRINT_KEY: key() });
    expect(codeFingerprint("GIFT-1234", other)).not.toEqual(codeFingerprint("GIFT-1234", before));
  });
});

describe("parseCodeKeys", () => {
  it("names the variable and the entry, never the key", () => {
    const secret = randomBytes(16).toString("base64");
    const found = problems({
      CODE_ENCRYPTION_KEYS: `good:${key()},short:${secret},nocolon`,
      CODE_FINGERPRINT_KEY: "not base64!",
    });
    expect(found).toEqual([
      expect.stringMatching(/^CODE_ENCRYPTION_KEYS .*entry 2 \(key id "short"\) must be 32/),
      expect.stringMatching(/^CODE_ENCRYPTION_KEYS .*entry 3 must be keyId:base64key/),
      expect.stringMatching(/^CODE_FINGERPRINT_KEY .*must be 32/),
    ]);
    expect(found.join("\n")).not.toContain(secret);
  });

  it("refuses a repeated key id", () => {
    expect(
      problems({ CODE_ENCRYPTION_KEYS: `a:${key()},a:${key()}`, CODE_FINGERPRINT_KEY: key() }),
    ).toEqual([expect.stringContaining('key id "a" appears twice')]);
  });

  it("needs both variables or neither", () => {
    expect(problems({ CODE_ENCRYPTION_KEYS: `a:${key()}` })).toEqual([
      expect.stringMatching(/^CODE_FINGERPRINT_KEY .*required when CODE_ENCRYPTION_KEYS is set/),
    ]);
    expect(problems({ CODE_FINGERPRINT_KEY: key() })).toEqual([
      expect.stringMatching(/^CODE_ENCRYPTION_KEYS .*required when CODE_FINGERPRINT_KEY is set/),
    ]);
  });
});

describe("loadCodeKeys", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "code-keys-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("generates keys once into the data directory, readable by the owner only", () => {
    const first = loadCodeKeys({}, dir);
    const second = loadCodeKeys({}, dir);
    expect(second.current.id).toBe(first.current.id);
    expect(second.current.key.equals(first.current.key)).toBe(true);
    expect(second.fingerprintKey.equals(first.fingerprintKey)).toBe(true);
    expect(first.fingerprintKey.equals(first.current.key)).toBe(false);
    expect(fs.statSync(path.join(dir, "code-keys")).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(["code-keys"]);
  });

  it("prefers the environment to the file", () => {
    const keys = loadCodeKeys({ CODE_ENCRYPTION_KEYS: newEntry, CODE_FINGERPRINT_KEY: key() }, dir);
    expect(keys.current.id).toBe("new");
  });
});
