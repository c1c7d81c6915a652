import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { ContractTransactionResponse, Interface, Signer } from "ethers";
import { network } from "hardhat";
import { type Hash, leafHash, MemoryLog, toHex } from "../../lib/ledger/merkle";
import { assertRevert } from "./revert";

const { ethers } = await network.create();

/** The contract's interface as these tests use it (hardhat-ethers returns an untyped Contract). */
interface LedgerContract {
  interface: Interface;
  connect(runner: Signer): LedgerContract;
  ANCHORER_ROLE(): Promise<string>;
  DEFAULT_ADMIN_ROLE(): Promise<string>;
  appendCheckpoint(
    newSize: number,
    newRoot: string,
    proof: string[],
  ): Promise<ContractTransactionResponse>;
  checkpointAt(treeSize: number): Promise<[string, bigint]>;
  latestCheckpoint(): Promise<[bigint, string]>;
  checkpointCount(): Promise<bigint>;
  verifyInclusion(size: number, index: number, leaf: string, proof: string[]): Promise<boolean>;
  hasRole(role: string, account: string): Promise<boolean>;
  grantRole(role: string, account: string): Promise<ContractTransactionResponse>;
  revokeRole(role: string, account: string): Promise<ContractTransactionResponse>;
}

type Ledger = Awaited<ReturnType<typeof deploy>>;

async function deploy() {
  const [admin, anchorer, stranger] = await ethers.getSigners();
  if (!admin || !anchorer || !stranger) throw new Error("expected three test accounts");
  const ledger = (await ethers.deployContract("RedemptionLedger", [
    admin.address,
    anchorer.address,
  ])) as unknown as LedgerContract;
  return { ledger, admin, anchorer, stranger, asAnchorer: ledger.connect(anchorer) };
}

function logOf(size: number): MemoryLog {
  const log = new MemoryLog();
  for (let i = 0; i < size; i++) log.append(new TextEncoder().encode(`entry ${i}`));
  return log;
}

const hex = (hashes: Hash[]) => hashes.map(toHex);

function flip(hash: Hash, at = 0): `0x${string}` {
  const copy = hash.slice();
  copy[at] = (copy[at] as number) ^ 0x01;
  return toHex(copy);
}

async function append(ledger: LedgerContract, log: MemoryLog, oldSize: number, newSize: number) {
  const proof = oldSize === 0 ? [] : hex(log.consistencyProof(oldSize, newSize));
  const tx = await ledger.appendCheckpoint(newSize, toHex(log.root(newSize)), proof);
  const receipt = await tx.wait();
  assert.ok(receipt);
  return { receipt, proofLength: proof.length };
}

describe("RedemptionLedger", () => {
  const log = logOf(1100);

  describe("appending consistent checkpoints", () => {
    let deployed: Ledger;
    before(async () => {
      deployed = await deploy();
    });

    it("starts empty", async () => {
      const { ledger } = deployed;
      assert.deepEqual([...(await ledger.latestCheckpoint())], [0n, ethers.ZeroHash]);
      assert.equal(await ledger.checkpointCount(), 0n);
      assert.deepEqual([...(await ledger.checkpointAt(1))], [ethers.ZeroHash, 0n]);
    });

    it("accepts a chain of checkpoints, each proven consistent with the previous one", async () => {
      const { ledger, asAnchorer } = deployed;
      const sizes = [1, 2, 3, 7, 8, 100, 128, 129, 1000, 1024, 1100];
      const gas: string[] = [];
      let previous = 0;
      for (const size of sizes) {
        const { receipt, proofLength } = await append(asAnchorer, log, previous, size);
        gas.push(`${previous}->${size} (${proofLength} proof hashes): ${receipt.gasUsed} gas`);

        const block = await ethers.provider.getBlock(receipt.blockNumber);
        assert.ok(block);
        const root = toHex(log.root(size));
        const event = receipt.logs
          .map((entry) => ledger.interface.parseLog(entry))
          .find((parsed) => parsed?.name === "CheckpointAppended");
        assert.deepEqual([...(event?.args ?? [])], [BigInt(size), root, BigInt(block.timestamp)]);
        assert.deepEqual([...(await ledger.checkpointAt(size))], [root, BigInt(block.timestamp)]);
        assert.deepEqual([...(await ledger.latestCheckpoint())], [BigInt(size), root]);
        previous = size;
      }
      assert.equal(await ledger.checkpointCount(), BigInt(sizes.length));
      // Earlier checkpoints stay readable.
      assert.equal((await ledger.checkpointAt(7))[0], toHex(log.root(7)));
      assert.equal((await ledger.checkpointAt(6))[0], ethers.ZeroHash);
      console.log(`    appendCheckpoint gas:\n      ${gas.join("\n      ")}`);
    });

    it("verifies inclusion against anchored checkpoints only", async () => {
      const { ledger } = deployed;
      for (const [index, size] of [
        [0, 1],
        [2, 3],
        [6, 7],
        [0, 100],
        [99, 100],
        [517, 1100],
        [1099, 1100],
      ] as const) {
        const leaf = toHex(leafAt(index));
        const proof = hex(log.inclusionProof(index, size));
        assert.equal(
          await ledger.verifyInclusion(size, index, leaf, proof),
          true,
          `${index}/${size}`,
        );
        assert.equal(await ledger.verifyInclusion(size, index, flip(leafAt(index)), proof), false);
        if (proof.length > 0) {
          const tampered = [...proof];
          tampered[0] = flip(log.inclusionProof(index, size)[0] as Hash, 31);
          assert.equal(await ledger.verifyInclusion(size, index, leaf, tampered), false);
          assert.equal(await ledger.verifyInclusion(size, index, leaf, proof.slice(1)), false);
          assert.equal(await ledger.verifyInclusion(size, (index + 1) % size, leaf, proof), false);
        }
        assert.equal(await ledger.verifyInclusion(size, size, leaf, proof), false);
      }
      // Size 5 was never anchored, so even a correct proof for it is not accepted.
      const proof5 = hex(log.inclusionProof(1, 5));
      assert.equal(await ledger.verifyInclusion(5, 1, toHex(leafAt(1)), proof5), false);
    });

    function leafAt(index: number): Hash {
      return leafHash(new TextEncoder().encode(`entry ${index}`));
    }
  });

  describe("rejections", () => {
    let deployed: Ledger;
    before(async () => {
      deployed = await deploy();
      await append(deployed.asAnchorer, log, 0, 6);
    });

    it("rejects callers without the anchorer role", async () => {
      const { ledger, admin, stranger } = deployed;
      const role = await ledger.ANCHORER_ROLE();
      for (const caller of [stranger, admin]) {
        await assertRevert(
          ledger,
          ledger
            .connect(caller)
            .appendCheckpoint(7, toHex(log.root(7)), hex(log.consistencyProof(6, 7))),
          "AccessControlUnauthorizedAccount",
          [caller.address, role],
        );
      }
    });

    it("rejects a smaller size and a replay of the latest checkpoint", async () => {
      const { ledger, asAnchorer } = deployed;
      await assertRevert(
        ledger,
        asAnchorer.appendCheckpoint(5, toHex(log.root(5)), []),
        "LedgerSizeNotIncreasing",
        [6n, 5n],
      );
      await assertRevert(
        ledger,
        asAnchorer.appendCheckpoint(6, toHex(log.root(6)), []),
        "LedgerSizeNotIncreasing",
        [6n, 6n],
      );
    });

    it("rejects a zero root", async () => {
      const { ledger, asAnchorer } = deployed;
      await assertRevert(
        ledger,
        asAnchorer.appendCheckpoint(7, ethers.ZeroHash, hex(log.consistencyProof(6, 7))),
        "LedgerZeroRoot",
      );
    });

    it("rejects checkpoints that do not extend the anchored history", async () => {
      const { ledger, asAnchorer } = deployed;
      const proof = log.consistencyProof(6, 13);
      const root = toHex(log.root(13));
      const attempts: Array<[string, string, string[]]> = [
        ["flipped proof byte", root, proof.map((p, i) => (i === 1 ? flip(p, 5) : toHex(p)))],
        ["wrong root", flip(log.root(13), 31), hex(proof)],
        ["root of another size", toHex(log.root(12)), hex(proof)],
        ["truncated proof", root, hex(proof.slice(0, -1))],
        ["extra proof hash", root, [...hex(proof), root]],
        ["empty proof", root, []],
        ["proof for another old size", root, hex(log.consistencyProof(5, 13))],
      ];
      // A forked history: same first five entries, different sixth.
      const fork = logOf(5);
      for (let i = 5; i < 13; i++) fork.append(new TextEncoder().encode(`forged ${i}`));
      attempts.push(["forked history", toHex(fork.root(13)), hex(fork.consistencyProof(6, 13))]);

      for (const [what, newRoot, badProof] of attempts) {
        await assertRevert(
          ledger,
          asAnchorer.appendCheckpoint(13, newRoot, badProof),
          "LedgerInconsistentCheckpoint",
          [6n, 13n],
        ).catch((error) => {
          throw new Error(`${what}: ${error}`);
        });
      }
      assert.deepEqual([...(await ledger.latestCheckpoint())], [6n, toHex(log.root(6))]);
      await append(asAnchorer, log, 6, 13);
    });

    it("requires an empty proof for the first checkpoint", async () => {
      const { ledger, asAnchorer } = await deploy();
      await assertRevert(
        ledger,
        asAnchorer.appendCheckpoint(4, toHex(log.root(4)), [toHex(log.root(2))]),
        "LedgerInconsistentCheckpoint",
        [0n, 4n],
      );
      await assertRevert(
        ledger,
        asAnchorer.appendCheckpoint(0, toHex(log.root(4)), []),
        "LedgerSizeNotIncreasing",
        [0n, 0n],
      );
    });
  });

  describe("roles", () => {
    it("lets the admin grant and revoke the anchorer role, and nobody else", async () => {
      const { ledger, admin, anchorer, stranger, asAnchorer } = await deploy();
      const role = await ledger.ANCHORER_ROLE();
      assert.equal(await ledger.hasRole(await ledger.DEFAULT_ADMIN_ROLE(), admin.address), true);
      assert.equal(await ledger.hasRole(role, anchorer.address), true);
      assert.equal(await ledger.hasRole(role, admin.address), false);

      await assertRevert(
        ledger,
        ledger.connect(stranger).grantRole(role, stranger.address),
        "AccessControlUnauthorizedAccount",
        [stranger.address, await ledger.DEFAULT_ADMIN_ROLE()],
      );

      await (await ledger.connect(admin).grantRole(role, stranger.address)).wait();
      await (await ledger.connect(stranger).appendCheckpoint(2, toHex(log.root(2)), [])).wait();

      await (await ledger.connect(admin).revokeRole(role, anchorer.address)).wait();
      assert.equal(await ledger.hasRole(role, anchorer.address), false);
      await assertRevert(
        ledger,
        asAnchorer.appendCheckpoint(3, toHex(log.root(3)), hex(log.consistencyProof(2, 3))),
        "AccessControlUnauthorizedAccount",
        [anchorer.address, role],
      );
      await (
        await ledger
          .connect(stranger)
          .appendCheckpoint(3, toHex(log.root(3)), hex(log.consistencyProof(2, 3)))
      ).wait();
      assert.equal(await ledger.checkpointCount(), 2n);
    });
  });
});
