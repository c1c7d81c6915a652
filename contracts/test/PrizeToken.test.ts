import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ContractTransactionResponse, Interface, Log, Signer } from "ethers";
import { network } from "hardhat";
import { assertRevert } from "./revert";

const { ethers } = await network.create();

/** The contract's interface as these tests use it (hardhat-ethers returns an untyped Contract). */
interface TokenContract {
  interface: Interface;
  connect(runner: Signer): TokenContract;
  getAddress(): Promise<string>;
  decimals(): Promise<bigint>;
  symbol(): Promise<string>;
  totalSupply(): Promise<bigint>;
  balanceOf(account: string): Promise<bigint>;
  isPaid(payer: string, id: string): Promise<boolean>;
  transfer(to: string, amount: bigint): Promise<ContractTransactionResponse>;
  payout(ids: string[], to: string[], amounts: bigint[]): Promise<ContractTransactionResponse>;
}

const SUPPLY = 1_000_000n * 10n ** 18n;
const id = (n: number) => ethers.zeroPadValue(ethers.toBeHex(n), 32);

async function deploy() {
  const [treasury, alice, bob, stranger] = await ethers.getSigners();
  if (!treasury || !alice || !bob || !stranger) throw new Error("expected four test accounts");
  const token = (await ethers.deployContract("PrizeToken", [
    "Prizeledger Token",
    "PLT",
    treasury.address,
    SUPPLY,
  ])) as unknown as TokenContract;
  return { token, treasury, alice, bob, stranger };
}

function prizePaid(token: TokenContract, logs: readonly Log[]) {
  return logs
    .map((log) => token.interface.parseLog(log))
    .filter((parsed) => parsed?.name === "PrizePaid")
    .map((parsed) => ({
      id: parsed?.args[0] as string,
      payer: parsed?.args[1] as string,
      to: parsed?.args[2] as string,
      amount: parsed?.args[3] as bigint,
    }));
}

describe("PrizeToken", () => {
  it("mints the whole supply to the treasury, with 18 decimals", async () => {
    const { token, treasury } = await deploy();
    assert.equal(await token.decimals(), 18n);
    assert.equal(await token.symbol(), "PLT");
    assert.equal(await token.totalSupply(), SUPPLY);
    assert.equal(await token.balanceOf(treasury.address), SUPPLY);
  });

  it("pays several prizes in one transaction, one PrizePaid event per id", async () => {
    const { token, treasury, alice, bob } = await deploy();
    const ids = [id(1), id(2), id(3)];
    const amounts = [10n ** 18n, 5n, 2n * 10n ** 18n];
    const receipt = await (
      await token.payout(ids, [alice.address, bob.address, alice.address], amounts)
    ).wait();
    assert.ok(receipt);
    assert.deepEqual(prizePaid(token, receipt.logs), [
      { id: ids[0], payer: treasury.address, to: alice.address, amount: amounts[0] },
      { id: ids[1], payer: treasury.address, to: bob.address, amount: amounts[1] },
      { id: ids[2], payer: treasury.address, to: alice.address, amount: amounts[2] },
    ]);
    assert.equal(await token.balanceOf(alice.address), 3n * 10n ** 18n);
    assert.equal(await token.balanceOf(bob.address), 5n);
    assert.equal(await token.balanceOf(treasury.address), SUPPLY - 3n * 10n ** 18n - 5n);
    assert.equal(await token.isPaid(treasury.address, id(2)), true);
    assert.equal(await token.isPaid(treasury.address, id(4)), false);
  });

  it("refuses to pay an id twice, and a batch holding it pays nothing", async () => {
    const { token, treasury, alice } = await deploy();
    await (await token.payout([id(7)], [alice.address], [1n])).wait();
    await assertRevert(
      token,
      token.payout([id(8), id(7)], [alice.address, alice.address], [1n, 1n]),
      "PrizeAlreadyPaid",
      [id(7)],
    );
    await assertRevert(
      token,
      token.payout([id(9), id(9)], [alice.address, alice.address], [1n, 1n]),
      "PrizeAlreadyPaid",
      [id(9)],
    );
    assert.equal(await token.isPaid(treasury.address, id(8)), false);
    assert.equal(await token.balanceOf(alice.address), 1n);
  });

  it("refuses arrays of different lengths", async () => {
    const { token, alice } = await deploy();
    await assertRevert(
      token,
      token.payout([id(1), id(2)], [alice.address], [1n, 1n]),
      "PayoutLengthMismatch",
      [2n, 1n, 2n],
    );
    await assertRevert(token, token.payout([id(1)], [alice.address], []), "PayoutLengthMismatch", [
      1n,
      1n,
      0n,
    ]);
  });

  it("pays only from the caller's balance, and another payer cannot mark the treasury's ids", async () => {
    const { token, treasury, alice, stranger } = await deploy();
    await assertRevert(
      token,
      token.connect(stranger).payout([id(1)], [stranger.address], [1n]),
      "ERC20InsufficientBalance",
    );
    // A stranger with tokens of their own pays "id 1" to themselves: the treasury's id 1 is untouched.
    await (await token.transfer(stranger.address, 10n)).wait();
    await (await token.connect(stranger).payout([id(1)], [stranger.address], [10n])).wait();
    assert.equal(await token.isPaid(stranger.address, id(1)), true);
    assert.equal(await token.isPaid(treasury.address, id(1)), false);
    await (await token.payout([id(1)], [alice.address], [3n])).wait();
    assert.equal(await token.balanceOf(alice.address), 3n);
  });

  it("refuses the zero address as a recipient", async () => {
    const { token } = await deploy();
    await assertRevert(
      token,
      token.payout([id(1)], [ethers.ZeroAddress], [1n]),
      "ERC20InvalidReceiver",
      [ethers.ZeroAddress],
    );
  });
});
