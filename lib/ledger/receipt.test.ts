import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Contract, JsonRpcProvider } from "ethers";
import { beforeAll, describe, expect, it } from "vitest";
import { formatCheckpoint } from "@/lib/tlog/checkpoint";
import { formatNote } from "@/lib/tlog/note";
import { cosign, generateSignerKey, parseSignerKey, signNote } from "@/lib/tlog/sign";
import { freePort } from "@/scripts/lib/free-port";
import { connectTestChain } from "@/test/chain";
import { LEDGER_ABI } from "./contract";
import { deployLedger } from "./deploy";
import type { TrustRoot } from "./identity";
import { encodeLeaf, playerCommitment } from "./leaf";
import { fromHex, MemoryLog, toHex } from "./merkle";
import { type Receipt, type VerifyStep, verifyReceipt } from "./receipt";
import { formatTlogProof } from "./signed-checkpoint";

const ANVIL_CHAIN_ID = 31337;
const PLAYER_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

const chain = connectTestChain();

function entryData(i: number, salt: Uint8Array): Uint8Array {
  const suffix = i.toString(16).padStart(12, "0");
  return encodeLeaf({
    kind: i % 5 === 4 ? "reversal" : "redemption",
    entryId: `0190f3a2-7b1c-7d4e-8f00-${suffix}`,
    prizeId: "a0b1c2d3-e4f5-4a6b-9c8d-7e6f5a4b3c2d",
    dropId: i % 2 === 0 ? "11111111-2222-4333-8444-555555555555" : null,
    valueCents: 500 + i,
    timeMs: 1_763_700_000_000 + i * 1000,
    playerCommitment: playerCommitment(PLAYER_ID, salt),
  });
}

async function anchor(ledger: Contract, log: MemoryLog, oldSize: number) {
  const proof = oldSize === 0 ? [] : log.consistencyProof(oldSize).map(toHex);
  const tx = await ledger.getFunction("appendCheckpoint")(log.size, toHex(log.root()), proof);
  const mined = await tx.wait();
  const block = await chain.provider.getBlock(mined.blockNumber);
  if (!block) throw new Error("anchoring block not found");
  return {
    txHash: mined.hash as string,
    blockNumber: mined.blockNumber as number,
    blockTime: block.timestamp,
  };
}

function buildReceipt(
  log: MemoryLog,
  index: number,
  data: Uint8Array,
  salt: Uint8Array,
  contract: string,
  anchored: { txHash: string; blockNumber: number; blockTime: number },
): Receipt {
  return {
    version: 1,
    status: "anchored",
    leaf: { index, data: toHex(data), salt: toHex(salt), playerId: PLAYER_ID },
    inclusionProof: log.inclusionProof(index).map(toHex),
    checkpoint: { treeSize: log.size, rootHash: toHex(log.root()) },
    anchor: { chainId: ANVIL_CHAIN_ID, contract, ...anchored },
  };
}

function flipHex(hex: string, byte = 0): string {
  const at = 2 + byte * 2;
  const flipped = (Number.parseInt(hex.slice(at, at + 2), 16) ^ 0x01).toString(16).padStart(2, "0");
  return hex.slice(0, at) + flipped + hex.slice(at + 2);
}

describe("verifyReceipt against a local chain", () => {
  let receipt: Receipt;
  let earlyReceipt: Receipt;
  let twinContract: string;
  let twinAnchorTx: string;
  let firstAnchor: { txHash: string; blockNumber: number; blockTime: number };
  let trust: TrustRoot;

  beforeAll(async () => {
    const address = await chain.signer.getAddress();
    const { address: contract } = await deployLedger(chain.signer, address, address);
    trust = { chainId: ANVIL_CHAIN_ID, contract, source: "the test's ledger" };
    const ledger = new Contract(contract, LEDGER_ABI, chain.signer);
    // A second ledger with the very same checkpoints: only the transaction ties a receipt to one.
    twinContract = (await deployLedger(chain.signer, address, address)).address;
    const twin = new Contract(twinContract, LEDGER_ABI, chain.signer);

    const salts = Array.from({ length: 9 }, (_, i) =>
      Uint8Array.from({ length: 32 }, (_, j) => i * 32 + j),
    );
    const leaves = salts.map((salt, i) => entryData(i, salt));
    const log = new MemoryLog();
    for (const leaf of leaves.slice(0, 3)) log.append(leaf);
    firstAnchor = await anchor(ledger, log, 0);
    await anchor(twin, log, 0);
    earlyReceipt = buildReceipt(
      log,
      1,
      leaves[1] as Uint8Array,
      salts[1] as Uint8Array,
      contract,
      firstAnchor,
    );

    for (const leaf of leaves.slice(3)) log.append(leaf);
    const secondAnchor = await anchor(ledger, log, 3);
    twinAnchorTx = (await anchor(twin, log, 3)).txHash;
    receipt = buildReceipt(
      log,
      5,
      leaves[5] as Uint8Array,
      salts[5] as Uint8Array,
      contract,
      secondAnchor,
    );
  }, 120_000);

  it("verifies genuine receipts, step by step", async () => {
    const seen: VerifyStep[] = [];
    const result = await verifyReceipt(receipt, chain.provider, trust, (step) => seen.push(step));
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(seen.map((s) => s.id)).toEqual([
      "format",
      "identity",
      "leaf",
      "inclusion",
      "chain",
      "checkpoint",
      "logSignature",
      "witnesses",
      "transaction",
      "blockTime",
    ]);
    expect(seen).toEqual(result.steps);
    // A receipt against an earlier checkpoint stays valid after later appends.
    expect((await verifyReceipt(earlyReceipt, chain.provider, trust)).ok).toBe(true);
    // It survives a JSON round trip, as it would through a file or an HTTP response.
    expect(
      (await verifyReceipt(JSON.parse(JSON.stringify(receipt)), chain.provider, trust)).ok,
    ).toBe(true);
  });

  type Tamper = [what: string, change: (r: Receipt) => void, failingStep: VerifyStep["id"]];
  const tampers = (): Tamper[] => [
    ["leaf.index - 1", (r) => r.leaf.index--, "inclusion"],
    ["leaf.index + 1", (r) => r.leaf.index++, "inclusion"],
    ...[0, 1, 2, 20, 40, 55, 62, 70, 97].map(
      (byte): Tamper => [
        `leaf.data byte ${byte}`,
        (r) => (r.leaf.data = flipHex(r.leaf.data, byte)),
        "inclusion",
      ],
    ),
    ["leaf.data truncated", (r) => (r.leaf.data = r.leaf.data.slice(0, -2)), "leaf"],
    ["leaf.salt", (r) => (r.leaf.salt = flipHex(r.leaf.salt, 31)), "leaf"],
    ["leaf.playerId", (r) => (r.leaf.playerId = r.leaf.playerId.replace("7c9e", "7c9f")), "leaf"],
    ...[0, 1, 2, 3].map(
      (i): Tamper => [
        `inclusionProof[${i}]`,
        (r) => (r.inclusionProof[i] = flipHex(r.inclusionProof[i] as string, i)),
        "inclusion",
      ],
    ),
    ["inclusionProof truncated", (r) => r.inclusionProof.pop(), "inclusion"],
    ["checkpoint.treeSize of another checkpoint", (r) => (r.checkpoint.treeSize = 3), "checkpoint"],
    ["checkpoint.treeSize never anchored", (r) => (r.checkpoint.treeSize = 8), "checkpoint"],
    [
      "checkpoint.rootHash",
      (r) => (r.checkpoint.rootHash = flipHex(r.checkpoint.rootHash, 31)),
      "inclusion",
    ],
    ["anchor.chainId", (r) => (r.anchor.chainId = 1), "identity"],
    [
      "anchor.contract (no contract)",
      (r) => (r.anchor.contract = flipHex(r.anchor.contract, 19)),
      "identity",
    ],
    ["anchor.contract (twin ledger)", (r) => (r.anchor.contract = twinContract), "identity"],
    [
      "anchor.txHash (the twin ledger's anchoring of the same checkpoint)",
      (r) => (r.anchor.txHash = twinAnchorTx),
      "transaction",
    ],
    [
      "anchor.txHash (unknown)",
      (r) => (r.anchor.txHash = flipHex(r.anchor.txHash, 0)),
      "transaction",
    ],
    [
      "anchor.txHash (earlier anchoring)",
      (r) => (r.anchor.txHash = firstAnchor.txHash),
      "transaction",
    ],
    ["anchor.blockNumber - 1", (r) => r.anchor.blockNumber--, "transaction"],
    ["anchor.blockNumber + 1", (r) => r.anchor.blockNumber++, "transaction"],
    ["anchor.blockTime", (r) => r.anchor.blockTime++, "blockTime"],
    ["version", (r) => ((r as { version: number }).version = 2), "format"],
    ["status", (r) => ((r as { status: string }).status = "provisional"), "format"],
  ];

  it("rejects every single-field change, naming the failing step", async () => {
    expect(receipt.inclusionProof.length).toBe(4);
    for (const [what, change, failingStep] of tampers()) {
      const tampered = structuredClone(receipt);
      change(tampered);
      expect(tampered, what).not.toEqual(receipt);
      const result = await verifyReceipt(tampered, chain.provider, trust);
      const failed = result.steps.filter((s) => !s.ok).map((s) => s.id);
      expect(result.ok, what).toBe(false);
      expect(failed, what).toContain(failingStep);
      expect(
        result.steps.map((s) => s.id),
        what,
      ).toHaveLength(10);
    }
  }, 60_000);

  it("explains what is wrong in each failing step", async () => {
    const wrongChain = structuredClone(receipt);
    wrongChain.anchor.chainId = 1;
    const { steps } = await verifyReceipt(wrongChain, chain.provider, trust);
    expect(steps.find((s) => s.id === "identity")?.detail).toBe(
      `The receipt names chain 1; the trusted ledger (the test's ledger) is on chain 31337.`,
    );
    expect(steps.find((s) => s.id === "checkpoint")).toMatchObject({
      ok: false,
      skipped: true,
      detail: "Not run: the receipt names a ledger that is not trusted.",
    });

    // A node on another chain than the pinned one: the pinned chain id, not the node, decides.
    const { steps: otherNode } = await verifyReceipt(receipt, chain.provider, {
      ...trust,
      chainId: 5,
    });
    expect(otherNode.find((s) => s.id === "identity")?.ok).toBe(false);
    const wrongNode = await verifyReceipt(
      { ...receipt, anchor: { ...receipt.anchor, chainId: 5 } },
      chain.provider,
      { ...trust, chainId: 5 },
    );
    expect(wrongNode.steps.find((s) => s.id === "chain")?.detail).toBe(
      "The node is on chain 31337, the trusted ledger on chain 5: it is another network's node.",
    );

    const { steps: garbage } = await verifyReceipt({ hello: "world" }, chain.provider, trust);
    expect(garbage[0]?.detail).toBe(
      "Not a version 1 anchored receipt. The version is missing. The status is missing. The leaf is missing. The inclusion proof is missing. The checkpoint is missing. (And 1 more.)",
    );
    expect(garbage.every((s) => !s.ok)).toBe(true);
    expect(garbage.slice(1).every((s) => s.skipped)).toBe(true);

    const typo = structuredClone(receipt) as unknown as {
      leaf: { index: unknown };
      anchor: { txHash: string };
    };
    typo.leaf.index = "7";
    typo.anchor.txHash = "0x12";
    const { steps: typos } = await verifyReceipt(typo, chain.provider, trust);
    expect(typos[0]?.detail).toBe(
      "Not a version 1 anchored receipt. The leaf index must be a number. The anchoring transaction hash must be 0x and 64 hex digits.",
    );
  });

  it("checks the signed checkpoint it carries with the pinned log key and k witnesses", async () => {
    const origin = "prizeledger.test";
    const logKey = generateSignerKey(origin, 0x01);
    const witness = generateSignerKey("witness.test", 0x04);
    const text = formatCheckpoint({
      origin,
      size: receipt.checkpoint.treeSize,
      rootHash: fromHex(receipt.checkpoint.rootHash),
    });
    const now = 1_796_000_000;
    const signed: Receipt = {
      ...receipt,
      signedCheckpoint: formatNote(text, [
        signNote(text, parseSignerKey(logKey.skey)),
        cosign(text, parseSignerKey(witness.skey), now - 5),
      ]),
    };
    signed.tlogProof = formatTlogProof(
      signed.leaf.index,
      signed.inclusionProof,
      signed.signedCheckpoint ?? "",
    );
    const witnessed = { ...trust, logKey: logKey.vkey, witnesses: [witness.vkey], quorum: 1 };
    const result = await verifyReceipt(signed, chain.provider, witnessed, undefined, now);
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    expect(result.steps.find((s) => s.id === "witnesses")?.detail).toMatch(
      /^1 trusted witness cosigned \(witness\.test at /,
    );
    // The receipt's own key is never asked: another log key fails the log's step only.
    const impostor = generateSignerKey(origin, 0x01).vkey;
    const forged = await verifyReceipt(
      signed,
      chain.provider,
      { ...witnessed, logKey: impostor },
      undefined,
      now,
    );
    expect(forged.ok).toBe(false);
    expect(forged.steps.filter((s) => !s.ok).map((s) => s.id)).toEqual(["logSignature"]);
    // An old receipt without a note fails only where witnesses were asked for.
    expect((await verifyReceipt(receipt, chain.provider, witnessed, undefined, now)).ok).toBe(
      false,
    );
    expect(
      (await verifyReceipt(receipt, chain.provider, { ...witnessed, quorum: 0 }, undefined, now))
        .ok,
    ).toBe(true);
  });

  it("reports an unreachable chain as a failed step, not an exception", async () => {
    const port = await freePort();
    const offline = new JsonRpcProvider(`http://127.0.0.1:${port}`, ANVIL_CHAIN_ID, {
      staticNetwork: true,
    });
    try {
      const result = await verifyReceipt(receipt, offline, trust);
      expect(result.ok).toBe(false);
      expect(result.steps.find((s) => s.id === "inclusion")?.ok).toBe(true);
      expect(result.steps.find((s) => s.id === "chain")?.detail).toMatch(
        /^The chain node could not be asked: nothing answered at that address/,
      );
      expect(result.steps.find((s) => s.id === "checkpoint")).toMatchObject({
        skipped: true,
        detail: "Not run: the chain node could not be reached.",
      });
    } finally {
      offline.destroy();
    }
  });

  it("tells a web server that is no chain node, and a chain without the contract", async () => {
    const server = createServer((_request, response) => response.end("<html>a shop</html>"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const web = new JsonRpcProvider(`http://127.0.0.1:${port}`, ANVIL_CHAIN_ID, {
      staticNetwork: true,
    });
    try {
      const result = await verifyReceipt(receipt, web, trust);
      expect(result.steps.find((s) => s.id === "chain")?.detail).toMatch(
        /^The chain node could not be asked: the address answered, but not as an Ethereum JSON-RPC node/,
      );
      expect(result.steps.find((s) => s.id === "checkpoint")?.detail).toBe(
        "Not run: the address is not an Ethereum node.",
      );
    } finally {
      web.destroy();
      server.close();
    }
    const elsewhere = `0x${"12".repeat(20)}`;
    const { steps } = await verifyReceipt(
      { ...receipt, anchor: { ...receipt.anchor, contract: elsewhere } },
      chain.provider,
      { ...trust, contract: elsewhere },
    );
    expect(steps.find((s) => s.id === "checkpoint")?.detail).toMatch(
      /^There is no contract at 0x1212\S+ on chain 31337: the node is on the right chain/,
    );
  });
});
