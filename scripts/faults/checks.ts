/**
 * What must hold after a fault, judged from the database, the chain and the clients' log alone:
 * none of it depends on when the fault struck or which request won.
 */
import { Contract } from "ethers";
import type postgres from "postgres";
import { LEDGER_ABI } from "@/lib/ledger/contract";
import { jsonRpcProvider } from "@/lib/ledger/json-rpc";
import type { ClaimLog } from "./burst";

export type DropFacts = {
  acknowledged: number;
  /** 201s whose redemption is not in the database, or not the one their player holds. */
  lost: number;
  /** Players with more than one redemption, units with more than one live redemption. */
  doubled: number;
  /** Redemptions without exactly one ledger entry. */
  leafless: number;
  /** drop_units claimed ≠ redemptions of the drop. */
  unitMismatch: number;
  /** Final answers that were not 201: a refusal or error a client could not retry. */
  nonRetryable: number;
  /** Clients whose deadline passed while they were still being told to retry. */
  unanswered: number;
  firstNonRetryable?: string;
};

export async function checkDrop(
  sql: postgres.Sql,
  dropId: string,
  logs: ClaimLog[],
): Promise<DropFacts> {
  const rows = await sql<Array<{ id: string; player_id: string; unit_id: string }>>`
    select id, player_id, unit_id from redemptions where drop_id = ${dropId}`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const ok = logs.filter((l) => l.status === 201);
  const lost = ok.filter(
    (l) => !l.redemptionId || byId.get(l.redemptionId)?.player_id !== l.playerId,
  ).length;
  const perPlayer = new Map<string, number>();
  const perUnit = new Map<string, number>();
  for (const r of rows) {
    perPlayer.set(r.player_id, (perPlayer.get(r.player_id) ?? 0) + 1);
    perUnit.set(r.unit_id, (perUnit.get(r.unit_id) ?? 0) + 1);
  }
  const over = (m: Map<string, number>) => [...m.values()].filter((n) => n > 1).length;
  const [leaves] = await sql<Array<{ leafless: number }>>`
    select count(*)::int as leafless from redemptions r
    where r.drop_id = ${dropId}
      and (select count(*) from ledger_entries e
           where e.redemption_id = r.id and e.kind = 'redemption') <> 1`;
  const [units] = await sql<Array<{ claimed: number }>>`
    select count(*)::int as claimed from drop_units
    where drop_id = ${dropId} and status = 'claimed'`;
  const refused = logs.filter((l) => l.status !== undefined && l.status !== 201);
  const first = refused[0];
  return {
    acknowledged: ok.length,
    lost,
    doubled: over(perPlayer) + over(perUnit),
    leafless: leaves?.leafless ?? 0,
    unitMismatch: Math.abs((units?.claimed ?? 0) - rows.length),
    nonRetryable: refused.length,
    unanswered: logs.filter((l) => l.status === undefined).length,
    firstNonRetryable: first ? `${first.status} ${first.code}` : undefined,
  };
}

export type AnchorFacts = {
  logSize: number;
  chainSize: number;
  /** Leaves of the log no checkpoint on chain covers. */
  unanchored: number;
  /** Checkpoints the database records as anchored that the chain does not hold. */
  phantom: number;
};

/** The log against the contract: its size, and whether what the database calls anchored is. */
export async function checkAnchoring(
  sql: postgres.Sql,
  rpcUrl: string,
  contractAddress: string,
): Promise<AnchorFacts> {
  const provider = jsonRpcProvider(rpcUrl);
  try {
    const contract = new Contract(contractAddress, LEDGER_ABI, provider);
    const [size] = (await contract.getFunction("latestCheckpoint")()) as [bigint, string];
    const [log] = await sql<Array<{ size: number }>>`
      select count(*)::int as size from ledger_entries`;
    const anchored = await sql<Array<{ tree_size: string; root_hash: Buffer }>>`
      select tree_size, root_hash from checkpoints where status = 'anchored'`;
    let phantom = 0;
    for (const cp of anchored) {
      const [root] = (await contract.getFunction("checkpointAt")(cp.tree_size)) as [string];
      if (root.toLowerCase() !== `0x${cp.root_hash.toString("hex")}`) phantom++;
    }
    const logSize = log?.size ?? 0;
    const chainSize = Number(size);
    return { logSize, chainSize, unanchored: Math.max(0, logSize - chainSize), phantom };
  } finally {
    provider.destroy();
  }
}

/**
 * Polls `checkAnchoring` until the chain covers the whole log and agrees with the database, or
 * `timeoutMs` passes; the last facts either way, and when they first held.
 */
export async function awaitAnchoring(
  sql: postgres.Sql,
  rpcUrl: string,
  contractAddress: string,
  timeoutMs: number,
): Promise<AnchorFacts & { caughtUpAt?: number }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    let facts: AnchorFacts | undefined;
    try {
      facts = await checkAnchoring(sql, rpcUrl, contractAddress);
      if (facts.unanchored === 0 && facts.phantom === 0) {
        return { ...facts, caughtUpAt: performance.now() };
      }
    } catch (error) {
      // The node may still be starting again.
      if (performance.now() > deadline) throw error;
    }
    if (performance.now() > deadline && facts) return facts;
    await new Promise((r) => setTimeout(r, 500));
  }
}
