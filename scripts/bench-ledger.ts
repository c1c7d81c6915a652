/**
 * `npm run bench:ledger`: the verifiable log, side by side in one run.
 *
 *   1. appends/s   MemoryLog (1,000,000 98-byte leaves) and the PostgreSQL sequencer
 *                  (`sequenceEntries`, batches of 1,000) vs @openzeppelin/merkle-tree builds
 *   2. gas         appendCheckpoint on anvil for batches of 1, 100, 1,000, 10,000 new leaves
 *                  (real consistency proofs) vs one checkpoint transaction per redemption
 *   3. lag         claim-to-anchored p50/p99 with claims arriving at 1,000/s through claimDrop
 *                  and the real worker loop (runAnchoring) in-process
 *
 * Embedded PostgreSQL and anvil run in a temporary directory on free ports and are removed
 * afterwards. Options:
 *   --leaves N        MemoryLog leaves (default 1000000)
 *   --oz-leaves N     leaves of each OpenZeppelin tree build (default 100000)
 *   --seq-entries N   entries for the DB sequencer (default 100000), --seq-batch N (1000)
 *   --rate N          claims per second (default 1000), --seconds N (default 20)
 *   --in-flight N     most outstanding claims (default 512)
 *   --batch N --max-age-ms N --poll-ms N   worker settings (defaults 1000 / 2000 / 250)
 *   --naive N         single-leaf checkpoints for the naive gas baseline (default 50)
 *   --repeats N       checkpoints per batch size (default 3)
 *   --skip-appends --skip-gas --skip-lag --keep
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { NonceManager, Wallet } from "ethers";
import { createDb } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { deployLedger } from "@/lib/ledger/deploy";
import { connectLedgerChain } from "@/lib/ledger/ledger-chain";
import { DEV_ADMIN_KEY, startEmbeddedChain } from "@/scripts/lib/embedded-chain";
import { startEmbeddedPostgres } from "@/scripts/lib/embedded-postgres";
import { freePort } from "@/scripts/lib/free-port";
import {
  type AppendResult,
  dbSequencer,
  memoryLogAppends,
  memoryLogBatches,
  ozSimple,
  ozStandard,
  randomLeaves,
} from "./bench/ledger-appends";
import { anchoringGas, type GasResult } from "./bench/ledger-gas";
import { claimToAnchoredLag, type LagResult } from "./bench/ledger-lag";
import { machineInfo } from "./bench/machine";
import { fmt } from "./bench/measure";
import { createHotDrop, createPlayers } from "./bench/seed";

const { values: args } = parseArgs({
  options: {
    leaves: { type: "string", default: "1000000" },
    "oz-leaves": { type: "string", default: "100000" },
    "seq-entries": { type: "string", default: "100000" },
    "seq-batch": { type: "string", default: "1000" },
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "20" },
    "in-flight": { type: "string", default: "512" },
    batch: { type: "string", default: "1000" },
    "max-age-ms": { type: "string", default: "2000" },
    "poll-ms": { type: "string", default: "250" },
    naive: { type: "string", default: "50" },
    repeats: { type: "string", default: "3" },
    "skip-appends": { type: "boolean", default: false },
    "skip-gas": { type: "boolean", default: false },
    "skip-lag": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});

const log = (line: string) => console.log(`[bench:ledger] ${line}`);
const BATCHES = [1, 100, 1_000, 10_000];
const TARGET_APPENDS = 200_000;
const TARGET_GAS = 100;
const TARGET_LAG_P99_MS = 5_000;

const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);
const verdict = (ok: boolean) => (ok ? "MET" : "NOT MET");

async function main(): Promise<void> {
  log(machineInfo());
  const appends: AppendResult[] = [];
  let gas: GasResult[] = [];
  let lag: LagResult | undefined;

  // 1. In-memory appends first, on a quiet machine.
  if (!args["skip-appends"]) {
    const n = Number(args.leaves);
    const leaves = randomLeaves(n);
    memoryLogAppends(leaves.slice(0, 50_000)); // warm-up (JIT)
    log(`MemoryLog: ${fmt(n, 0)} leaves…`);
    appends.push(memoryLogAppends(leaves));
    appends.push(memoryLogBatches(leaves, 1_000));
    const oz = leaves.slice(0, Number(args["oz-leaves"]));
    ozSimple(oz.slice(0, 5_000)); // warm-up
    log(`@openzeppelin/merkle-tree: ${fmt(oz.length, 0)} leaves…`);
    appends.push(ozStandard(oz));
    appends.push(ozSimple(oz));
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-ledger-"));
  const stops: Array<() => Promise<void>> = [];
  try {
    const anvilPort = await freePort();
    log(`starting anvil on ${anvilPort} and PostgreSQL in ${dir}`);
    const chainNode = await startEmbeddedChain(path.join(dir, "chain"), anvilPort, log);
    stops.push(chainNode.stop);

    // 2. Gas.
    if (!args["skip-gas"]) {
      const chain = await connectLedgerChain(
        chainNode.rpcUrl,
        chainNode.contract,
        chainNode.anchorerKey,
      );
      try {
        log("gas: naive and batched checkpoints…");
        gas = await anchoringGas(
          chain.signer,
          chain.contractAddress,
          BATCHES,
          Number(args.repeats),
          Number(args.naive),
        );
      } finally {
        chain.close();
      }
    }

    const needDb = !args["skip-lag"] || !args["skip-appends"];
    if (needDb) {
      const pgPort = await freePort();
      const pg = await startEmbeddedPostgres(path.join(dir, "postgres"), pgPort, () => {});
      stops.push(pg.stop);
      process.env.PRIZELEDGER_DATA_DIR = dir; // the code keys of the claims live beside the bench
      await migrateDatabase(pg.url);
      const claims = createDb(pg.url, 32);
      const worker = createDb(pg.url, 4);
      stops.push(() => claims.sql.end());
      stops.push(() => worker.sql.end());
      const total = Math.round(Number(args.rate) * Number(args.seconds));
      const players = (await createPlayers(claims.sql, Math.max(total, 1), { tokens: false })).map(
        (p) => p.id,
      );
      const dropId = await createHotDrop(claims.db, total + 1_000, "Ledger bench drop");

      // 3. Lag, on a contract of its own (the gas run's contract holds another log).
      if (!args["skip-lag"]) {
        const provider = (
          await connectLedgerChain(chainNode.rpcUrl, chainNode.contract, DEV_ADMIN_KEY)
        ).provider;
        const admin = new NonceManager(new Wallet(DEV_ADMIN_KEY, provider));
        const { address: contract } = await deployLedger(
          admin,
          await admin.getAddress(),
          new Wallet(chainNode.anchorerKey).address,
        );
        const chain = await connectLedgerChain(chainNode.rpcUrl, contract, chainNode.anchorerKey);
        stops.push(async () => {
          chain.close();
          provider.destroy();
        });
        await claims.sql`vacuum analyze`;
        log(
          `lag: ${fmt(total, 0)} claims at ${args.rate}/s with the worker (batch ${args.batch}, max age ${args["max-age-ms"]} ms, poll ${args["poll-ms"]} ms)…`,
        );
        lag = await claimToAnchoredLag({
          claimDb: claims.db,
          workerDb: worker,
          chain,
          dropId,
          players,
          rate: Number(args.rate),
          seconds: Number(args.seconds),
          maxInFlight: Number(args["in-flight"]),
          batchSize: Number(args.batch),
          maxAgeMs: Number(args["max-age-ms"]),
          pollMs: Number(args["poll-ms"]),
          log,
        });
      }

      // 1b. The production sequencer (after the lag run, with its worker stopped).
      if (!args["skip-appends"]) {
        const { claimDrop } = await import("@/lib/claims/claim-drop");
        const [row] = await claims.sql<Array<{ id: string }>>`select id from redemptions limit 1`;
        const redemptionId =
          row?.id ??
          (await claimDrop(claims.db, { dropId, playerId: players[0] as string })).redemption.id;
        const n = Number(args["seq-entries"]);
        log(`sequencer: ${fmt(n, 0)} entries in batches of ${args["seq-batch"]}…`);
        appends.splice(
          2,
          0,
          await dbSequencer(
            worker.db,
            worker.sql,
            redemptionId,
            n,
            Number(args["seq-batch"]),
            path.join(dir, "postgres"),
          ),
        );
      }
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    if (args.keep) log(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }

  // The table.
  console.log("");
  if (appends.length > 0) {
    console.log(`Appends (target >= ${fmt(TARGET_APPENDS, 0)} leaves/s)`);
    console.log(
      `  ${pad("variant", 50)} ${lpad("leaves", 10)} ${lpad("s", 7)} ${lpad("leaves/s", 12)}`,
    );
    for (const a of appends) {
      console.log(
        `  ${pad(a.name, 50)} ${lpad(fmt(a.leaves, 0), 10)} ${lpad(fmt(a.seconds, 2), 7)} ${lpad(fmt(a.perSecond, 0), 12)}`,
      );
      if (a.note) console.log(`    ${a.note}`);
    }
    const memory = appends[0];
    if (memory) {
      console.log(`  -> MemoryLog ${verdict(memory.perSecond >= TARGET_APPENDS)}`);
    }
    console.log("");
  }
  if (gas.length > 0) {
    console.log(`Gas per redemption (target <= ${TARGET_GAS} at 1,000)`);
    console.log(
      `  ${pad("variant", 44)} ${lpad("txs", 4)} ${lpad("proof", 6)} ${lpad("gas/tx", 10)} ${lpad("gas/redemption", 15)}`,
    );
    for (const g of gas) {
      console.log(
        `  ${pad(g.name, 44)} ${lpad(String(g.txs), 4)} ${lpad(fmt(g.proofHashes, 1), 6)} ${lpad(fmt(g.gasPerTx, 0), 10)} ${lpad(fmt(g.gasPerRedemption, 1), 15)}`,
      );
    }
    const at1000 = gas.find((g) => g.batch === 1_000);
    if (at1000) console.log(`  -> at 1,000: ${verdict(at1000.gasPerRedemption <= TARGET_GAS)}`);
    console.log("");
  }
  if (lag) {
    console.log(`Claim-to-anchored lag (target p99 <= ${fmt(TARGET_LAG_P99_MS / 1000, 0)} s)`);
    console.log(
      `  claims ${fmt(lag.ok, 0)}/${fmt(lag.offered, 0)} (errors ${lag.errors}${lag.firstError ? `: ${lag.firstError}` : ""}), achieved ${fmt(lag.achievedRate, 0)} claims/s, claim latency p50 ${fmt(lag.claimP50, 0)} ms p99 ${fmt(lag.claimP99, 0)} ms`,
    );
    console.log(
      `  lag p50 ${fmt(lag.lagP50 / 1000, 2)} s  p99 ${fmt(lag.lagP99 / 1000, 2)} s  max ${fmt(lag.lagMax / 1000, 2)} s; ${lag.anchoredCheckpoints} checkpoints anchored (mean ${fmt(lag.meanCheckpointSize, 0)} redemptions each); last anchored ${fmt(lag.drainMs / 1000, 2)} s after the last claim`,
    );
    console.log(`  -> p99 ${verdict(lag.lagP99 <= TARGET_LAG_P99_MS)}`);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
