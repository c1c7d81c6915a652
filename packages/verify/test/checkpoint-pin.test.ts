/**
 * Which log and witnesses `checkpoint` trusts: the pinned ledger's (its document's, each part
 * replaced by a flag in ./pin), the origin line by --origin; every gap a usage error in words.
 */
import { describe, expect, it } from "vitest";
import type { TrustRoot } from "@/lib/ledger/identity";
import { generateSignerKey } from "@/lib/tlog/sign";
import { logSite, pinCheckpointTrust } from "../src/checkpoint-pin";

const log = generateSignerKey("operator.test/log", 0x01).vkey;
const [w1, w2] = ["w1.test", "w2.test"].map((name) => generateSignerKey(name, 0x04).vkey) as [
  string,
  string,
];
const trust: TrustRoot = {
  chainId: 31337,
  contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  logKey: log,
  logOrigin: "operator.example",
  witnesses: [w1, w2],
  quorum: 1,
  source: "the test",
};

describe("pinning a checkpoint's log and witnesses", () => {
  it("takes the pinned log, origin, witnesses and quorum", () => {
    const pinned = pinCheckpointTrust({}, trust);
    expect(pinned).toMatchObject({ origin: "operator.example", quorum: 1 });
    expect(pinned.logKey.vkey).toBe(log);
    expect(pinned.witnesses.map((w) => w.name)).toEqual(["w1.test", "w2.test"]);
  });

  it("takes the origin from --origin, else the document, else the key's name", () => {
    expect(pinCheckpointTrust({ origin: "elsewhere" }, trust).origin).toBe("elsewhere");
    const byKey = { ...trust, logOrigin: undefined };
    expect(pinCheckpointTrust({}, byKey).origin).toBe("operator.test/log");
  });

  it("has no witnesses and a quorum of 0 when none are pinned", () => {
    const alone = { ...trust, witnesses: undefined, quorum: undefined };
    expect(pinCheckpointTrust({}, alone)).toMatchObject({ witnesses: [], quorum: 0 });
  });

  it.each([
    [
      "no log key",
      { ...trust, logKey: undefined },
      /No log pinned: no log key from the test; name it/,
    ],
    ["a quorum above the witnesses", { ...trust, quorum: 3 }, /more witnesses than the 2/],
  ])("refuses %s", (_, pinned, message) => {
    expect(() => pinCheckpointTrust({}, pinned)).toThrow(message);
  });

  it("serves the log from --log, else the operator's site; only https or this machine", () => {
    expect(logSite({}, "https://op.example")).toBe("https://op.example");
    expect(logSite({ log: "https://log.example/x" }, "https://op.example")).toBe(
      "https://log.example",
    );
    expect(() => logSite({ log: "http://log.example" }, undefined)).toThrow(/https/);
  });
});
