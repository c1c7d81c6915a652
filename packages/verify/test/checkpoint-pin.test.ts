/**
 * Which log and witnesses `checkpoint` trusts: the --operator document's, or the flags', and
 * every gap a usage error in words. Never a key the checkpoint names.
 */
import { describe, expect, it } from "vitest";
import type { LedgerIdentity } from "@/lib/ledger/identity";
import { generateSignerKey } from "@/lib/tlog/sign";
import { logSite, pinCheckpointTrust } from "../src/checkpoint-pin";

const log = generateSignerKey("operator.test/log", 0x01).vkey;
const [w1, w2] = ["w1.test", "w2.test"].map((name) => generateSignerKey(name, 0x04).vkey) as [
  string,
  string,
];
const identity: LedgerIdentity = {
  version: 1,
  chainId: 31337,
  contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  deploymentBlock: 0,
  receiptSigners: [],
  rpcUrl: "http://127.0.0.1:8545",
  log: { origin: "operator.test/log", key: log },
  witnesses: [{ key: w1 }, { key: w2 }],
  witnessQuorum: 1,
};

const names = (trust: ReturnType<typeof pinCheckpointTrust>) => trust.witnesses.map((w) => w.name);

describe("pinning a checkpoint's log and witnesses", () => {
  it("takes the document's log, witnesses and quorum, the quorum overridable", () => {
    const trust = pinCheckpointTrust({}, identity);
    expect(trust).toMatchObject({ origin: "operator.test/log", quorum: 1 });
    expect(trust.logKey.vkey).toBe(log);
    expect(names(trust)).toEqual(["w1.test", "w2.test"]);
    expect(pinCheckpointTrust({ quorum: "2" }, identity).quorum).toBe(2);
  });

  it("replaces each part the flags name, and only that part", () => {
    const trust = pinCheckpointTrust({ witness: [w2] }, identity);
    expect(names(trust)).toEqual(["w2.test"]);
    expect(trust.quorum).toBe(1);
    const other = generateSignerKey("other.test/log", 0x01).vkey;
    const byHand = pinCheckpointTrust({ logKey: other }, identity);
    expect(byHand).toMatchObject({ origin: "other.test/log", quorum: 1 });
    expect(names(byHand)).toEqual(["w1.test", "w2.test"]);
    expect(pinCheckpointTrust({ logKey: other, origin: "elsewhere" }, undefined)).toMatchObject({
      origin: "elsewhere",
      witnesses: [],
      quorum: 0,
    });
  });

  it.each([
    ["no log at all", {}, undefined, /No log pinned/],
    ["a document without a log", {}, { ...identity, log: undefined }, /names no signed log/],
    ["a malformed --log-key", { logKey: "x+y" }, undefined, /--log-key: /],
    ["a witness key as --log-key", { logKey: w1 }, undefined, /w1.test is not an Ed25519 note key/],
    ["a log key as --witness", { witness: [log] }, identity, /--witness: .* is not a cosignature/],
    ["a quorum that is no number", { quorum: "-1" }, identity, /--quorum must be a whole number/],
    ["a quorum above the witnesses", { quorum: "3" }, identity, /more witnesses than the 2/],
  ])("refuses %s", (_, flags, document, message) => {
    expect(() => pinCheckpointTrust(flags, document)).toThrow(message);
  });

  it("refuses a document key that does not parse as the document's error", () => {
    const bad = { ...identity, witnesses: [{ key: "w1.test+00000000+AA==" }] };
    expect(() => pinCheckpointTrust({}, bad)).toThrow(/^The operator's document: /);
  });

  it("serves the log from --log, else the operator's site; only https or this machine", () => {
    expect(logSite({}, "https://op.example")).toBe("https://op.example");
    expect(logSite({ log: "https://log.example/x" }, "https://op.example")).toBe(
      "https://log.example",
    );
    expect(() => logSite({ log: "http://log.example" }, undefined)).toThrow(/https/);
  });
});
