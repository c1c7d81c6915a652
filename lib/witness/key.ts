import "server-only";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { generateSignerKey, parseSignerKey } from "@/lib/tlog/sign";

export const WITNESS_KEY_FILE = "witness.key";

/**
 * The witness's signing key, made on its first start. The file holds the C2SP signer key string
 * (PRIVATE+KEY+name+id+base64), readable by its owner alone. It is written under a temporary name
 * and linked into place, so two starts at once end with one key, and a crash leaves no half key.
 */
export function loadOrCreateWitnessKey(
  dataDir: string,
  name: string,
): { skey: string; vkey: string } {
  const file = path.join(dataDir, WITNESS_KEY_FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let skey = readKeyFile(file);
  if (skey === undefined) {
    const made = generateSignerKey(name, 0x04);
    const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
    const fd = openSync(temp, "wx", 0o600);
    try {
      writeSync(fd, `${made.skey}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      rmSync(temp, { force: true });
    }
    skey = readKeyFile(file);
    if (skey === undefined) throw new Error(`${file} vanished while it was being written`);
  }
  let key: ReturnType<typeof parseSignerKey>;
  try {
    key = parseSignerKey(skey);
  } catch (error) {
    throw new Error(`${file} does not hold a witness signing key: ${(error as Error).message}`);
  }
  if (key.type !== 0x04) {
    throw new Error(`${file} holds a log signing key, not a witness (cosignature) key`);
  }
  if (key.name !== name) {
    throw new Error(
      `${file} is the key of witness "${key.name}", not "${name}": pass --name ${key.name} or use another --data directory`,
    );
  }
  return { skey, vkey: key.vkey };
}

function readKeyFile(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
