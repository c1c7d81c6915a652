import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { sql as drizzleSql } from "drizzle-orm";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqlClient } from "@/db/client";
import { checkpoints, ledgerEntries } from "@/db/schema";
import { anchoringStatus } from "@/lib/analytics/anchoring-status";
import { claimDrop } from "@/lib/claims/claim-drop";
import type { TrustRoot } from "@/lib/ledger/identity";
import { jsonRpcProvider } from "@/lib/ledger/json-rpc";
import { connectLedgerChain } from "@/lib/ledger/ledger-chain";
import { contractChain, monitorLog } from "@/lib/ledger/monitor-log";
import type { ProvisionalPromise } from "@/lib/ledger/provisional";
import { verifyReceipt } from "@/lib/ledger/receipt";
import { signAnchoringPromise } from "@/lib/ledger/sign-receipt";
import { getReceipt } from "@/lib/redemptions/redemptions";
import { CHAIN_ID, DEV_RECEIPT_KEY, startEmbeddedChain } from "@/scripts/lib/embedded-chain";
import { freePort } from "@/scripts/lib/free-port";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { memoryLog } from "@/test/memory-log";
import { waitFor } from "@/test/wait-for";
import type { LedgerChain } from "./anchor-checkpoint";
import { listAnchoredCheckpoints, listLeaves } from "./public-log";
import { runAnchoring } from "./run-anchoring";
import { logSize } from "./sequence-entries";

/*
 * A ledger node outage in the middle of a claim burst. The node is a real anvil keeping its state
 * in a file, as the embedded one does: stopping it ends its process (it saves its state on the way
 * out) and starting it again loads that state. The anchoring job reaches it through a small
 * JSON-RPC relay, which only lets the test choose the exact moment of each stop: before the job
 * sends a checkpoint; after the node took one into its pool and answered, before mining it; after
 * it mined one, before the job heard back.
 */

// The configuration a web and a worker process would have: env() reads it once, at the first
// claim. Given back after the file, whichever process runs the next one.
const CONFIG = [
  "RECEIPT_SIGNING_KEY",
  "LEDGER_CHAIN_ID",
  "LEDGER_RPC_URL",
  "LEDGER_CONTRACT",
  "ANCHORER_KEY",
] as const;
const savedConfig = CONFIG.map((name) => [name, process.env[name]] as const);
process.env.RECEIPT_SIGNING_KEY = DEV_RECEIPT_KEY;
process.env.LEDGER_CHAIN_ID = String(CHAIN_ID);

const db = connectTestDb(30);

type Node = { rpcUrl: string; contract: string; anchorerKey: string; stop: () => Promise<void> };

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

type Call = { id: number; method: string };
/** Before relaying the call, after the node answered and mined it, or after the caller got its answer. */
type When = "before" | "after" | "answered";

/**
 * Relays JSON-RPC to the node. `stopNodeAt` arms a one-shot trigger: the node is stopped before a
 * call of that method is relayed or after the node has answered it (and, for a sent transaction,
 * mined it), and the caller sees its connection dropped; or the caller gets the answer and then
 * the node stops. While the node is down, or while `hold` is set, every call is dropped.
 */
function startRelay(target: () => string) {
  let trigger:
    | { method: string; when: When; stop: () => Promise<void>; done: () => void }
    | undefined;
  let hold = false;
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const calls = ([] as Call[]).concat(JSON.parse(body) as Call | Call[]);
    const fired = trigger && calls.some((c) => c.method === trigger?.method) ? trigger : undefined;
    if (fired) trigger = undefined;
    try {
      if (hold) throw new Error("held");
      if (fired?.when === "before") {
        await fired.stop();
        throw new Error("stopped");
      }
      const response = await fetch(target(), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      const text = await response.text();
      if (fired?.when === "answered") {
        res.writeHead(response.status, { "content-type": "application/json" }).end(text);
        await fired.stop();
        return;
      }
      if (fired) {
        const sent = calls.find((c) => c.method === "eth_sendRawTransaction");
        if (sent) {
          const answers = ([] as Array<{ id: number; result?: string }>).concat(JSON.parse(text));
          const hash = answers.find((a) => a.id === sent.id)?.result;
          if (hash) await waitFor(() => rpc(target(), "eth_getTransactionReceipt", [hash]));
        }
        await fired.stop();
        throw new Error("stopped");
      }
      res.writeHead(response.status, { "content-type": "application/json" }).end(text);
    } catch {
      req.socket.destroy();
    } finally {
      fired?.done();
    }
  });
  return {
    server,
    listen: (port: number) =>
      new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve)),
    setHold: (value: boolean) => {
      hold = value;
    },
    stopNodeAt(method: string, when: When, stop: () => Promise<void>) {
      return new Promise<void>((done) => {
        trigger = { method, when, stop, done };
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const dir = path.resolve(".data", "test", `outage-${process.pid}-${Date.now()}`);
let node: Node;
let nodePort: number;
let relay: ReturnType<typeof startRelay>;
let chain: LedgerChain & { close: () => void };
let anchorer: Promise<void> | undefined;
const controller = new AbortController();
const { log, lines: logLines } = memoryLog();

beforeAll(async () => {
  nodePort = await freePort();
  node = await startEmbeddedChain(dir, nodePort);
  relay = startRelay(() => node.rpcUrl);
  const relayPort = await freePort();
  await relay.listen(relayPort);
  const rpcUrl = `http://127.0.0.1:${relayPort}`;
  Object.assign(process.env, {
    LEDGER_RPC_URL: rpcUrl,
    LEDGER_CONTRACT: node.contract,
    ANCHORER_KEY: node.anchorerKey,
  });
  chain = await connectLedgerChain(rpcUrl, node.contract, node.anchorerKey);
}, 120_000);

afterAll(async () => {
  for (const [name, value] of savedConfig) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  // The node first: a job stuck on a transaction (the failure this file looks for) must not
  // leave it running.
  await node?.stop();
  controller.abort();
  relay?.server.closeAllConnections();
  await relay?.close();
  await anchorer;
  chain?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Claimed = { playerId: string; redemptionId: string; promise: ProvisionalPromise };

/** A burst of concurrent claims through the claim engine, each with its provisional receipt. */
async function claimBurst(count: number): Promise<Claimed[]> {
  const { dropId } = await createTestDrop(db, { units: count });
  const players = await createPlayers(db, count);
  return Promise.all(
    players.map(async (playerId) => {
      const { redemption } = await claimDrop(db, { dropId, playerId });
      const receipt = await getReceipt(db, playerId, redemption.id);
      // The anchoring job runs during the burst and may anchor an entry before its receipt is
      // read; the promise its pending receipt carried is fixed by the leaf and the claim's time.
      const promise =
        receipt?.status === "anchored"
          ? await signAnchoringPromise(receipt.leaf, await loggedAt(redemption.id))
          : receipt?.promise;
      if (!promise) throw new Error("expected a provisional receipt with a signed promise");
      return { playerId, redemptionId: redemption.id, promise };
    }),
  );
}

async function loggedAt(redemptionId: string): Promise<number> {
  const [entry] = await db
    .select({ at: ledgerEntries.createdAt })
    .from(ledgerEntries)
    .where(
      drizzleSql`${ledgerEntries.redemptionId} = ${redemptionId} and ${ledgerEntries.kind} = 'redemption'`,
    );
  if (!entry) throw new Error(`no ledger entry for ${redemptionId}`);
  return entry.at.getTime();
}

async function allAnchored(): Promise<boolean> {
  const status = await anchoringStatus(db);
  const [pending] = await db
    .select({ n: drizzleSql<number>`count(*)::int` })
    .from(checkpoints)
    .where(drizzleSql`${checkpoints.status} = 'pending'`);
  return status.pendingEntries === 0 && pending?.n === 0;
}

async function restartNode(): Promise<void> {
  node = await startEmbeddedChain(dir, nodePort);
}

describe("a ledger node outage during a claim burst", () => {
  it("anchors every entry exactly once afterwards and reports every missed deadline", async () => {
    anchorer = runAnchoring({
      db,
      sql: sqlClient(db),
      chain,
      batchSize: 8,
      maxAgeMs: 20,
      pollMs: 20,
      signal: controller.signal,
      log,
    });
    const claims: Claimed[] = [];

    // Before the outage: a burst, anchored as usual.
    claims.push(...(await claimBurst(20)));
    await waitFor(allAnchored);

    // Outage 1: the node stops after the job has read the chain's checkpoint, before it sends.
    const failures = () => logLines.filter((l) => l.event === "anchoring_failed_will_retry").length;
    const failedBefore = failures();
    const stopped1 = relay.stopNodeAt("eth_estimateGas", "before", () => node.stop());
    const during1 = claimBurst(20);
    await stopped1;
    claims.push(...(await during1), ...(await claimBurst(10)));
    await waitFor(async () => failures() > failedBefore);
    await restartNode();
    await waitFor(allAnchored);

    // Outage 2: the node takes a checkpoint transaction into its pool, answers, and stops before
    // mining it; it comes back from its state file without it.
    await rpc(node.rpcUrl, "evm_setAutomine", [false]);
    const stopped2 = relay.stopNodeAt("eth_sendRawTransaction", "answered", () => node.stop());
    const during2 = claimBurst(10);
    await stopped2;
    claims.push(...(await during2));
    await restartNode();
    await waitFor(allAnchored);

    // Outage 3: the node mines a checkpoint and stops before the job hears back. It stays down
    // "for an hour" (the restarted node's clock moves on), past the promised deadlines.
    const stopped3 = relay.stopNodeAt("eth_sendRawTransaction", "after", () => node.stop());
    const during3 = claimBurst(20);
    await stopped3;
    relay.setHold(true);
    claims.push(...(await during3), ...(await claimBurst(10)));
    await restartNode();
    await rpc(node.rpcUrl, "evm_increaseTime", [3600]);
    relay.setHold(false);
    await waitFor(allAnchored);
    controller.abort();
    await anchorer;

    // Every entry is on chain, in checkpoints that follow each other without repeating a range.
    const reader = jsonRpcProvider(node.rpcUrl);
    try {
      const onChain = contractChain(reader, node.contract);
      const [entries] = await db
        .select({ n: drizzleSql<number>`count(*)::int` })
        .from(ledgerEntries);
      expect(await logSize(db)).toBe(entries?.n);
      expect((await onChain.latestCheckpoint()).treeSize).toBe(entries?.n);
      const events = await onChain.checkpointEvents();
      const sizes = events.map((e) => e.treeSize);
      expect(sizes).toEqual([...new Set(sizes)].sort((a, b) => a - b));
      // No transaction was wasted: each one the anchorer sent appended a checkpoint.
      const sent = await reader.getTransactionCount(new Wallet(node.anchorerKey).address, "latest");
      expect(sent).toBe(events.length);
      // The database records exactly the checkpoints the chain holds, with their transactions.
      const recorded = (await listAnchoredCheckpoints(db)).reverse();
      expect(recorded.map((c) => [c.treeSize, c.txHash])).toEqual(
        events.map((e) => [e.treeSize, e.txHash]),
      );

      const report = await monitorLog({
        fetchLeaves: (start, end) => listLeaves(db, start, end),
        fetchCheckpoints: async () => recorded,
        chain: onChain,
        deadlineSeconds: 86_400,
      });
      expect(report.problems).toEqual([]);

      // Each receipt is anchored; its promise was kept, or the monitor reports it as missed.
      const missedTruth = new Set<string>();
      const trust: TrustRoot = {
        chainId: CHAIN_ID,
        contract: node.contract,
        receiptSigners: [new Wallet(DEV_RECEIPT_KEY).address],
        source: "the outage test's chain",
      };
      for (const claim of claims) {
        const receipt = await getReceipt(db, claim.playerId, claim.redemptionId);
        if (receipt?.status !== "anchored") throw new Error("not anchored");
        expect((await verifyReceipt(receipt, reader, trust)).ok).toBe(true);
        const first = events.find((e) => e.treeSize > receipt.leaf.index);
        if (!first) throw new Error("no checkpoint covers the entry");
        if (first.blockTime > claim.promise.anchorBy) missedTruth.add(claim.redemptionId);
      }
      expect(missedTruth.size).toBeGreaterThan(0);
      const { missedDeadlines } = await anchoringStatus(db);
      expect(missedDeadlines.count).toBe(missedTruth.size);
      expect(new Set(missedDeadlines.entries.map((e) => e.redemptionId))).toEqual(missedTruth);
      for (const missed of missedDeadlines.entries) {
        expect(missed.anchoredAt).toBeGreaterThan(missed.anchorBy);
      }
    } finally {
      reader.destroy();
    }
  }, 240_000);
});
