/**
 * Pinning with no installation, as the standalone verifier does: nothing is trusted by default,
 * and a contract is asked about only at a node the auditor names. A broken installation is not
 * read when the flags name the ledger.
 */
import { describe, expect, it } from "vitest";
import { generateSignerKey } from "@/lib/tlog/sign";
import { COLLIDING_VKEYS } from "@/test/fixtures/colliding-vkeys";
import { type Installation, type PinFlags, pinLedger } from "../src/pin";

const CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const pin = { contract: CONTRACT.toLowerCase(), chainId: "31337" };

describe("pinning outside an installation", () => {
  it("refuses to guess with no flags", async () => {
    await expect(pinLedger({}, undefined)).rejects.toMatchObject({
      code: "ledger_identity_unconfigured",
      message: expect.stringContaining("No ledger named"),
    });
  });

  it("needs --rpc with --contract and --chain-id, and then asks that node", async () => {
    await expect(pinLedger(pin, undefined)).rejects.toMatchObject({
      code: "invalid_pin",
      message: expect.stringContaining("need --rpc URL here"),
    });
    const pinned = await pinLedger({ ...pin, rpc: "https://my-node.example" }, undefined);
    expect(pinned).toEqual({
      trust: { chainId: 31337, contract: CONTRACT, source: "--contract and --chain-id" },
      rpcUrl: "https://my-node.example",
    });
  });
});

describe("pinning inside an installation", () => {
  const broken: Installation = {
    ledger: () => {
      throw new Error("the installation was read");
    },
    rpcUrl: () => "http://127.0.0.1:8545",
  };

  it("reads the installation's ledger only when no flag names one", async () => {
    await expect(pinLedger({}, broken)).rejects.toThrow("the installation was read");
    const pinned = await pinLedger(pin, broken);
    expect(pinned.rpcUrl).toBe("http://127.0.0.1:8545");
  });
});

describe("the signatures the auditor trusts", () => {
  const node = { ...pin, rpc: "https://my-node.example" };
  const logKey = generateSignerKey("log.example", 0x01).vkey;
  const witnesses = ["w1.example", "w2.example"].map((n) => generateSignerKey(n, 0x04).vkey);

  it("takes the log key, witnesses and k from the flags", async () => {
    const { trust } = await pinLedger({ ...node, logKey, witnesses, quorum: "2" }, undefined);
    expect(trust).toMatchObject({ logKey, witnesses, quorum: 2 });
    expect(trust.logOrigin).toBeUndefined();
  });

  it("requires every --witness unless --quorum says otherwise, whatever the document says", async () => {
    const byContract = await pinLedger({ ...node, witnesses }, undefined);
    expect(byContract.trust).toMatchObject({ witnesses, quorum: 2, quorumFrom: "every --witness" });
    const document = {
      version: 1,
      chainId: 31337,
      contract: CONTRACT,
      receiptSigners: [],
      deploymentBlock: 0,
      rpcUrl: "https://node.op.example",
      witnesses: witnesses.map((key, i) => ({ key, url: `https://w${i}.example` })),
      witnessQuorum: 0,
    };
    const fetchDocument = (async () => Response.json(document)) as typeof fetch;
    const byOperator = await pinLedger(
      { operator: "https://op.example", rpc: "https://my-node.example", witnesses },
      undefined,
      fetchDocument,
    );
    expect(byOperator.trust).toMatchObject({ quorum: 2, quorumFrom: "every --witness" });
    const chosen = await pinLedger({ ...node, witnesses, quorum: "1" }, undefined);
    expect(chosen.trust).toMatchObject({ quorum: 1, quorumFrom: "--quorum" });
  });

  it("refuses, in words, a key of the wrong kind, a mistyped key or a k that is no number", async () => {
    const refused: Array<[PinFlags, string]> = [
      [{ logKey: witnesses[0] }, "--log-key w1.example: not an Ed25519 note key (type 0x01)"],
      [{ witnesses: [logKey] }, "--witness log.example: not a cosignature/v1 key (type 0x04)"],
      [
        { logKey: logKey.replace(/\+[0-9a-f]{8}\+/, "+00000000+") },
        "--log-key: verifier key log.example: the key id 00000000 does not match the key",
      ],
      [{ quorum: "-1" }, "--quorum must be a whole number of witnesses: -1"],
      [
        { witnesses: [...COLLIDING_VKEYS] },
        "--witness: ambiguous key witness.example+12462dc5: two trusted keys share this name and key id",
      ],
    ];
    for (const [flags, message] of refused) {
      await expect(pinLedger({ ...node, ...flags }, undefined)).rejects.toMatchObject({
        code: "invalid_pin",
        message,
      });
    }
  });
});
