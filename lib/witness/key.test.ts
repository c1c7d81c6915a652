import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseVerifierKey } from "@/lib/tlog/note";
import { generateSignerKey } from "@/lib/tlog/sign";
import { loadOrCreateWitnessKey, WITNESS_KEY_FILE } from "./key";

const fresh = () => mkdtempSync(path.join(tmpdir(), "witness-key-"));

describe("loadOrCreateWitnessKey", () => {
  it("makes a cosignature key on first use, owner-readable only, and keeps it", () => {
    const dir = fresh();
    const first = loadOrCreateWitnessKey(dir, "witness-1.example");
    expect(parseVerifierKey(first.vkey)).toMatchObject({ name: "witness-1.example", type: 0x04 });
    expect(statSync(path.join(dir, WITNESS_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateWitnessKey(dir, "witness-1.example")).toEqual(first);
  });

  it("refuses another witness's key, a log key and a damaged file, in words", () => {
    const dir = fresh();
    loadOrCreateWitnessKey(dir, "witness-1.example");
    expect(() => loadOrCreateWitnessKey(dir, "witness-2.example")).toThrow(
      /key of witness "witness-1.example", not "witness-2.example"/,
    );
    const logKey = fresh();
    writeFileSync(path.join(logKey, WITNESS_KEY_FILE), generateSignerKey("log.example", 0x01).skey);
    expect(() => loadOrCreateWitnessKey(logKey, "log.example")).toThrow(/log signing key/);
    const damaged = fresh();
    writeFileSync(path.join(damaged, WITNESS_KEY_FILE), "PRIVATE+KEY+nonsense");
    expect(() => loadOrCreateWitnessKey(damaged, "w")).toThrow(
      /does not hold a witness signing key/,
    );
    expect(readFileSync(path.join(damaged, WITNESS_KEY_FILE), "utf8")).toBe("PRIVATE+KEY+nonsense");
  });
});
