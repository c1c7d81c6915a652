import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import { Contract, type Log as EthersLog, type JsonRpcProvider, Transaction, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { prizes, walletLinks } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { jsonRpcProvider } from "@/lib/ledger/json-rpc";
import { DEV_ANCHORER_KEY } from "@/scripts/lib/embedded-chain";
import { connectTestChain } from "@/test/chain";
import { connectTestDb, createPlayers, createTestDrop, testDatabaseUrl } from "@/test/db";
import { waitFor } from "@/test/wait-for";
import { PRIZE_TOKEN_ABI, payoutIdOf, tokenBaseUnits } from "./model";

/*
 * Issue 14's proof that a crash never pays twice, with a real crash: the worker (`scripts/worker.ts`,
 * as `npm run worker` runs it) is a process of its own, killed with SIGKILL four times in the
 * middle of paying 30 crypto redemptions. Nothing in it is told it will die; each kill comes when
 * the database and the chain show the moment to test, a state that holds until the test moves on
 * (the node's automine is off, or the worker's broadcast is held), so no kill depends on timing:
 *
 * 1. a batch sent and waiting in the node's mempool, an earlier one confirmed;
 * 2. a batch signed and recorded whose bytes never reached the node (its broadcast is swallowed);
 * 3. a batch whose bytes the node took into its mempool, killed before the worker heard back;
 * 4. one of two workers running together, a batch in the mempool; the other one finishes.
 *
 * Then the chain's own Transfer events from the treasury must add up to the redemptions' amounts,
 * to the unit, each wallet paid exactly its prize once, every delivery delivered by a mined hash.
 */

const db = connectTestDb();
const testChain = connectTestChain();
const BATCH_SIZE = 4;
const PRIZES = [
  { amount: "10.5", count: 10 },
  { amount: "0.000000000000000007", count: 10 },
  { amount: "1234.000000000000000001", count: 10 },
];
const TOTAL = PRIZES.reduce((n, p) => n + p.count, 0);

let relay: Relay;
let node: JsonRpcProvider;
const workers = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of workers) child.kill("SIGKILL");
});
/** The step under way and the workers' last output: what a failure (a timeout) reports. */
let step = "";
let workerOutput = "";

/** Waits for `check` to hold (the test's timeout bounds it), naming the step for a failure. */
function until<T>(name: string, check: () => Promise<T | undefined | null | false>): Promise<T> {
  step = name;
  return waitFor(check);
}

beforeAll(async () => {
  node = jsonRpcProvider(testChain.rpcUrl);
  relay = await startRelay(testChain.rpcUrl, new Wallet(testChain.treasuryKey).address);
});
afterAll(async () => {
  for (const child of workers) child.kill("SIGKILL");
  await relay?.close();
  await rpc("evm_setAutomine", [true]).catch(() => {});
  node?.destroy();
});

/** The node's own controls (automine, mining a block), straight to it, not through the relay. */
function rpc(method: string, params: unknown[] = []): Promise<unknown> {
  return node.send(method, params);
}

/**
 * What happens to the treasury's transactions on their way to the node: relayed; `swallow`:
 * never relayed nor answered (a worker killed before its bytes left); `hang`: relayed, the node
 * takes them, and the answer never comes back (a worker killed before it heard).
 */
type SendMode = "relay" | "swallow" | "hang";
type Relay = {
  url: string;
  mode: SendMode;
  /** Hashes of the treasury's transactions held back (swallowed or left unanswered). */
  held: Set<string>;
  close: () => Promise<void>;
};

type Call = { id: number; method: string; params?: unknown[] };

/** The worker's JSON-RPC goes through this: it only decides what becomes of the treasury's sends. */
async function startRelay(target: string, treasury: string): Promise<Relay> {
  const state: Relay = { url: "", mode: "relay", held: new Set(), close: async () => {} };
  const forward = async (body: string) => {
    const response = await fetch(target, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    return { status: response.status, text: await response.text() };
  };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    try {
      const calls = ([] as Call[]).concat(JSON.parse(body) as Call | Call[]);
      const sends = calls
        .filter((c) => c.method === "eth_sendRawTransaction")
        .map((c) => Transaction.from(String(c.params?.[0])))
        .filter((t) => t.from === treasury);
      const mode = sends.length > 0 ? state.mode : "relay";
      if (mode !== "relay") {
        if (mode === "hang") await forward(body);
        for (const t of sends) state.held.add(t.hash as string);
        return;
      }
      const { status, text } = await forward(body);
      res.writeHead(status, { "content-type": "application/json" }).end(text);
    } catch {
      req.socket.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

const CODE_KEYS = {
  CODE_ENCRYPTION_KEYS: `test:${randomBytes(32).toString("base64")}`,
  CODE_FINGERPRINT_KEY: randomBytes(32).toString("base64"),
};

/** `npm run worker` on the test's database, its node reached through the relay; up once it says so. */
async function startWorker(): Promise<ChildProcess> {
  // Node itself with tsx's loader, not tsx's command (a parent that spawns Node): the SIGKILL
  // must reach the worker, not a wrapper whose child lives on.
  const loader = ["--import", "tsx", "--import", "./scripts/lib/server-only-noop.mjs"];
  const child = spawn(process.execPath, [...loader, "scripts/worker.ts"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      NODE_ENV: "test",
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: "info",
      DATABASE_URL: testDatabaseUrl(db),
      LEDGER_RPC_URL: relay.url,
      LEDGER_CONTRACT: testChain.contractAddress,
      ANCHORER_KEY: DEV_ANCHORER_KEY,
      MAIL_CAPTURE: "admins",
      PRIZE_TOKEN_CONTRACT: testChain.prizeToken,
      TREASURY_KEY: testChain.treasuryKey,
      PAYOUT_BATCH_SIZE: String(BATCH_SIZE),
      PAYOUT_POLL_MS: "100",
      // No health listener: its port could be another worker's on this machine.
      WORKER_PORT: "0",
      ...CODE_KEYS,
    },
  });
  workers.add(child);
  let own = "";
  await new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      own = (own + chunk.toString()).slice(-20_000);
      workerOutput = (workerOutput + chunk.toString()).slice(-20_000);
      if (own.includes('"worker_started"')) resolve();
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.once("exit", (code) => reject(new Error(`the worker exited (${code}):\n${own}`)));
  });
  return child;
}

/** SIGKILL: no handler runs, no connection is closed politely. */
async function killWorker(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  workers.delete(child);
  expect(child.signalCode).toBe("SIGKILL");
}

type BatchRow = { nonce: number; tx_hash: string; status: string; payouts: number };

async function batches(): Promise<BatchRow[]> {
  return db.execute<BatchRow>(sql`
    select b.nonce::int as nonce, b.tx_hash, b.status,
           (select count(*)::int from token_payouts p where p.batch_id = b.id) as payouts
    from token_payout_batches b order by b.nonce`);
}

async function payoutsByStatus(): Promise<Record<string, number>> {
  const rows = await db.execute<{ status: string; n: number }>(
    sql`select status, count(*)::int as n from token_payouts group by status`,
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Every crypto redemption with its wallet and its prize's amount, from the claims alone. */
async function redemptionsToPay(): Promise<Array<{ id: string; address: string; amount: bigint }>> {
  const rows = await db.execute<{ id: string; address: string; token_amount: string }>(sql`
    select r.id, w.address, p.token_amount::text
    from redemptions r
    join prizes p on p.id = r.prize_id
    join wallet_links w on w.user_id = r.player_id and w.unlinked_at is null
    where p.kind = 'crypto'`);
  return rows.map((r) => ({
    id: r.id,
    address: r.address,
    amount: tokenBaseUnits(r.token_amount),
  }));
}

async function claimCryptoPrizes(): Promise<void> {
  for (const { amount, count } of PRIZES) {
    const playerIds = await createPlayers(db, count);
    const { dropId, prizeId } = await createTestDrop(db, { units: count, kind: "crypto" });
    await db
      .update(prizes)
      .set({ tokenSymbol: "PLT", tokenAmount: amount })
      .where(eq(prizes.id, prizeId));
    for (const playerId of playerIds) {
      await db.insert(walletLinks).values({
        userId: playerId,
        address: Wallet.createRandom().address,
        chainId: testChain.chainId,
      });
      await claimDrop(db, { dropId, playerId });
    }
  }
}

describe("the worker killed (SIGKILL) mid-payout", () => {
  it("pays every crypto redemption exactly once, the chain's sum equal to the claims' to the unit", async () => {
    onTestFailed(async () => {
      const state = JSON.stringify({
        step,
        batches: await batches(),
        ...(await payoutsByStatus()),
      });
      process.stderr.write(`failed at: ${state}\nthe workers' last output:\n${workerOutput}\n`);
    });
    const treasury = new Wallet(testChain.treasuryKey).address;
    const nonceBefore = await node.getTransactionCount(treasury, "latest");
    await rpc("evm_setAutomine", [false]);
    await claimCryptoPrizes();

    // Kill 1: a batch in the mempool, recorded sent, after an earlier one was mined and
    // confirmed; every payout requested by then (a delivery job killed while running would wait
    // for the queue's expiry, which is the queue's proof, not this one's).
    let worker = await startWorker();
    await until("a first batch in the mempool", async () =>
      (await batches()).some((b) => b.status === "sent"),
    );
    await rpc("evm_mine");
    // The players of the batch in the mempool already see its hash: their deliveries are
    // submitted with it.
    await until("one batch confirmed, the next in the mempool, all requested", async () => {
      const now = await batches();
      const sent = now.find((b) => b.status === "sent");
      const requested = Object.values(await payoutsByStatus()).reduce((a, b) => a + b, 0);
      if (!sent || requested !== TOTAL || !now.some((b) => b.status === "confirmed")) return false;
      const [told] = await db.execute<{ n: number }>(sql`
        select count(*)::int as n from deliveries
        where status = 'submitted' and tx_hash = ${sent.tx_hash}`);
      return told?.n === sent.payouts;
    });
    await killWorker(worker);
    const inMempool = (await batches()).find((b) => b.status === "sent") as BatchRow;
    expect(await node.getTransaction(inMempool.tx_hash)).not.toBeNull();
    expect(await node.getTransactionReceipt(inMempool.tx_hash)).toBeNull();

    // Kill 2: the next batch signed and recorded, its bytes never reaching the node.
    relay.mode = "swallow";
    worker = await startWorker();
    await rpc("evm_mine");
    const unsent = await until("a batch signed, its broadcast swallowed", async () => {
      const signed = (await batches()).find((b) => b.status === "signed");
      return signed && relay.held.has(signed.tx_hash) ? signed : undefined;
    });
    await killWorker(worker);
    expect((await batches()).find((b) => b.nonce === inMempool.nonce)?.status).toBe("confirmed");
    expect(await node.getTransaction(unsent.tx_hash)).toBeNull();

    // Kill 3: at restart the same bytes go again; the node takes them into its mempool and the
    // worker dies before it hears back, the batch still recorded signed.
    relay.mode = "hang";
    relay.held.clear();
    worker = await startWorker();
    await until("the same bytes in the mempool, unanswered", async () =>
      relay.held.has(unsent.tx_hash),
    );
    await killWorker(worker);
    expect((await batches()).find((b) => b.nonce === unsent.nonce)?.status).toBe("signed");
    expect(await node.getTransaction(unsent.tx_hash)).not.toBeNull();

    // Kill 4: two workers at once, as a deployment may run them; one dies with the next batch
    // in the mempool (whichever of them sent it), and the other finishes without a restart.
    relay.mode = "relay";
    const [doomed, survivor] = await Promise.all([startWorker(), startWorker()]);
    await rpc("evm_mine");
    await until("two workers up, the batch after the crashed one in the mempool", async () =>
      (await batches()).some((b) => b.nonce > unsent.nonce && b.status === "sent"),
    );
    await killWorker(doomed);
    expect((await batches()).find((b) => b.nonce === unsent.nonce)?.status).toBe("confirmed");

    await rpc("evm_setAutomine", [true]);
    await rpc("evm_mine");
    await until("every delivery delivered", async () => {
      const [row] = await db.execute<{ delivered: number }>(
        sql`select count(*)::int as delivered from deliveries
            where status = 'delivered' and provider = 'token'`,
      );
      return row?.delivered === TOTAL;
    });
    await killWorker(survivor);

    // The chain, not our tables: every Transfer of the token out of the treasury.
    const token = new Contract(testChain.prizeToken, PRIZE_TOKEN_ABI, node);
    const transferFilter = token.filters.Transfer?.(treasury);
    const paidFilter = token.filters.PrizePaid?.(null, treasury);
    if (!transferFilter || !paidFilter) throw new Error("the token's ABI lacks its events");
    const transfers = (await token.queryFilter(transferFilter, 0)).map((e) => {
      const [, to, value] = (e as unknown as { args: [string, string, bigint] }).args;
      return { to, value, txHash: e.transactionHash };
    });
    const paid = (await token.queryFilter(paidFilter, 0)).map((e: EthersLog) => {
      const [id, , to, amount] = (e as unknown as { args: [string, string, string, bigint] }).args;
      return { id, to, amount, txHash: e.transactionHash };
    });
    const owed = await redemptionsToPay();
    expect(owed).toHaveLength(TOTAL);
    const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);
    expect(sum(transfers.map((t) => t.value))).toBe(sum(owed.map((r) => r.amount)));
    expect(transfers).toHaveLength(TOTAL);
    // Each redemption paid once, to its wallet, its amount; no id twice.
    expect(new Set(paid.map((p) => p.id)).size).toBe(paid.length);
    expect(paid.map((p) => p.id).sort()).toEqual(owed.map((r) => payoutIdOf(r.id)).sort());
    for (const r of owed) {
      expect(paid.find((p) => p.id === payoutIdOf(r.id))).toMatchObject({
        to: r.address,
        amount: r.amount,
      });
      expect(transfers.filter((t) => t.to === r.address).map((t) => t.value)).toEqual([r.amount]);
      expect(await token.getFunction("balanceOf")(r.address)).toBe(r.amount);
    }

    // Every delivery delivered, by the transaction that paid it, mined and succeeded.
    const deliveries = await db.execute<{ redemption_id: string; tx_hash: string | null }>(
      sql`select redemption_id, tx_hash from deliveries where provider = 'token'`,
    );
    for (const d of deliveries) {
      expect(d.tx_hash).toBe(paid.find((p) => p.id === payoutIdOf(d.redemption_id))?.txHash);
      expect((await node.getTransactionReceipt(d.tx_hash ?? ""))?.status).toBe(1);
    }

    // The crashed batches were finished as signed, never signed again: one transaction per
    // batch, each confirmed, and the treasury sent nothing else.
    const final = await batches();
    expect(final.every((b) => b.status === "confirmed")).toBe(true);
    expect(final.map((b) => b.payouts).reduce((a, b) => a + b, 0)).toBe(TOTAL);
    expect(final.find((b) => b.nonce === unsent.nonce)?.tx_hash).toBe(unsent.tx_hash);
    expect(await node.getTransactionCount(treasury, "latest")).toBe(nonceBefore + final.length);
  }, 420_000);
});
