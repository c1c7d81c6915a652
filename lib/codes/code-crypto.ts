import "server-only";
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ConfigError, env } from "@/lib/config/env";

/**
 * Gift codes at rest: AES-256-GCM under a named key so keys can be rotated, and an HMAC
 * fingerprint under a separate key that never rotates, so duplicates are found without
 * decrypting and stay found across rotations. See docs/codes.md.
 */
export type CodeKeys = {
  /** The key new codes are encrypted with: the first entry of CODE_ENCRYPTION_KEYS. */
  current: { id: string; key: Buffer };
  /** Every key that may decrypt, the current one included. */
  byId: ReadonlyMap<string, Buffer>;
  fingerprintKey: Buffer;
};

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD = Buffer.from("prizeledger/code/v1", "utf8");
const KEY_FILE = "code-keys";

function decodeKey(value: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return undefined;
  const key = Buffer.from(value, "base64");
  return key.length === KEY_BYTES ? key : undefined;
}

const KEY_MESSAGE = `must be ${KEY_BYTES} random bytes in base64 (openssl rand -base64 ${KEY_BYTES})`;

// Messages name entries by position and id only: a key must never end up in a log.
const encryptionKeys = z.string().transform((value, ctx) => {
  const byId = new Map<string, Buffer>();
  const entries = value.split(",").map((entry) => entry.trim());
  entries.forEach((entry, index) => {
    const where = `entry ${index + 1}`;
    const separator = entry.indexOf(":");
    const id = entry.slice(0, separator);
    if (separator < 1 || !/^[A-Za-z0-9_.-]{1,32}$/.test(id)) {
      ctx.addIssue({
        code: "custom",
        message: `${where} must be keyId:base64key, the key id being 1-32 of A-Z a-z 0-9 _ . -`,
      });
      return;
    }
    const key = decodeKey(entry.slice(separator + 1));
    if (!key) ctx.addIssue({ code: "custom", message: `${where} (key id "${id}") ${KEY_MESSAGE}` });
    else if (byId.has(id))
      ctx.addIssue({ code: "custom", message: `key id "${id}" appears twice` });
    else byId.set(id, key);
  });
  const [first] = byId;
  if (!first) return z.NEVER;
  return { current: { id: first[0], key: first[1] }, byId };
});

const fingerprintKey = z.string().transform((value, ctx) => {
  const key = decodeKey(value.trim());
  if (!key) ctx.addIssue({ code: "custom", message: KEY_MESSAGE });
  return key ?? z.NEVER;
});

const codeKeysSchema = z
  .object({
    CODE_ENCRYPTION_KEYS: encryptionKeys.optional(),
    CODE_FINGERPRINT_KEY: fingerprintKey.optional(),
  })
  .transform((keys, ctx): CodeKeys => {
    // Instances that fingerprint with different keys would let duplicates in: both or neither.
    if (!keys.CODE_ENCRYPTION_KEYS || !keys.CODE_FINGERPRINT_KEY) {
      const missing = keys.CODE_ENCRYPTION_KEYS ? "CODE_FINGERPRINT_KEY" : "CODE_ENCRYPTION_KEYS";
      const other = keys.CODE_ENCRYPTION_KEYS ? "CODE_ENCRYPTION_KEYS" : "CODE_FINGERPRINT_KEY";
      ctx.addIssue({
        code: "custom",
        path: [missing],
        message: `is required when ${other} is set`,
      });
      return z.NEVER;
    }
    return { ...keys.CODE_ENCRYPTION_KEYS, fingerprintKey: keys.CODE_FINGERPRINT_KEY };
  });

type KeySource = Record<string, string | undefined>;

/** Parses the two variables; `origin` says where they came from in the error. */
export function parseCodeKeys(source: KeySource, origin = "environment"): CodeKeys {
  const present = (value: string | undefined) => (value?.trim() ? value : undefined);
  const result = codeKeysSchema.safeParse({
    CODE_ENCRYPTION_KEYS: present(source.CODE_ENCRYPTION_KEYS),
    CODE_FINGERPRINT_KEY: present(source.CODE_FINGERPRINT_KEY),
  });
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map(
      (issue) => `${issue.path.join(".") || "code keys"} (${origin}) ${issue.message}`,
    ),
  );
}

/** The embedded default: keys generated once and kept beside the other local state. */
function readKeyFile(file: string): KeySource {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const id = `local-${randomBytes(4).toString("hex")}`;
    const contents =
      `CODE_ENCRYPTION_KEYS=${id}:${randomBytes(KEY_BYTES).toString("base64")}\n` +
      `CODE_FINGERPRINT_KEY=${randomBytes(KEY_BYTES).toString("base64")}\n`;
    // The web app and the worker may start together: write aside, then link, which fails if the
    // other won; nobody ever reads a half-written file.
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, contents, { mode: 0o600 });
    try {
      fs.linkSync(temp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      fs.rmSync(temp, { force: true });
    }
  }
  const source: KeySource = {};
  for (const line of fs.readFileSync(file, "utf8").split(/\r?\n/)) {
    const match = /^\s*(CODE_ENCRYPTION_KEYS|CODE_FINGERPRINT_KEY)\s*=(.*)$/.exec(line);
    if (match?.[1]) source[match[1]] = match[2]?.trim();
  }
  return source;
}

/** Keys from the environment or, when neither variable is set, from `<dataDir>/code-keys`. */
export function loadCodeKeys(
  source: KeySource = process.env,
  dataDir = env().PRIZELEDGER_DATA_DIR,
): CodeKeys {
  if (source.CODE_ENCRYPTION_KEYS?.trim() || source.CODE_FINGERPRINT_KEY?.trim()) {
    return parseCodeKeys(source);
  }
  const file = path.resolve(dataDir, KEY_FILE);
  return parseCodeKeys(readKeyFile(file), file);
}

/**
 * The two variables as they are to be passed to child processes: the environment's, or the
 * embedded default's from `<dataDir>/code-keys`, so the web app and the worker share one keyring.
 */
export function codeKeyEnvironment(
  source: KeySource = process.env,
  dataDir = env().PRIZELEDGER_DATA_DIR,
): Record<"CODE_ENCRYPTION_KEYS" | "CODE_FINGERPRINT_KEY", string> {
  const chosen =
    source.CODE_ENCRYPTION_KEYS?.trim() || source.CODE_FINGERPRINT_KEY?.trim()
      ? source
      : readKeyFile(path.resolve(dataDir, KEY_FILE));
  parseCodeKeys(chosen);
  return {
    CODE_ENCRYPTION_KEYS: chosen.CODE_ENCRYPTION_KEYS ?? "",
    CODE_FINGERPRINT_KEY: chosen.CODE_FINGERPRINT_KEY ?? "",
  };
}

let cached: CodeKeys | undefined;

/** The process's keys, read on first use (not at import) so a bad value fails the caller. */
export function codeKeys(): CodeKeys {
  cached ??= loadCodeKeys();
  return cached;
}

/** What duplicates are judged on: surrounding whitespace ignored, letters upper-cased. */
export function normaliseCode(code: string): string {
  return code.trim().toUpperCase();
}

/** Encrypts a code as `IV (12) ‖ ciphertext ‖ tag (16)` under the current key. */
export function encryptCode(
  plain: string,
  keys: CodeKeys = codeKeys(),
): { ciphertext: Uint8Array; keyId: string } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keys.current.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(AAD);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return {
    ciphertext: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
    keyId: keys.current.id,
  };
}

export function decryptCode(
  ciphertext: Uint8Array,
  keyId: string,
  keys: CodeKeys = codeKeys(),
): string {
  const key = keys.byId.get(keyId);
  if (!key) {
    throw new Error(
      `Gift code encrypted with key id "${keyId}", which is not in CODE_ENCRYPTION_KEYS`,
    );
  }
  if (ciphertext.length < IV_BYTES + TAG_BYTES) {
    throw new Error("Gift code ciphertext is too short to be valid");
  }
  const bytes = Buffer.from(ciphertext);
  const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV_BYTES), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(AAD);
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  const body = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    throw new Error(
      `Gift code ciphertext failed authentication under key id "${keyId}": wrong key or altered data`,
    );
  }
}

/** HMAC-SHA256 of the normalised code: equal codes have equal fingerprints under every key set. */
export function codeFingerprint(code: string, keys: CodeKeys = codeKeys()): Uint8Array {
  return new Uint8Array(
    createHmac("sha256", keys.fingerprintKey).update(normaliseCode(code), "utf8").digest(),
  );
}
