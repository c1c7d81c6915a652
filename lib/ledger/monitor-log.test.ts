import { beforeAll, describe, expect, it } from "vitest";
import { listAnchoredCheckpoints, listLeaves } from "@/lib/anchoring/public-log";
import { anchoringPass } from "@/lib/anchoring/run-anchoring";
import { sequenceEntries } from "@/lib/anchoring/sequence-entries";
import { claimDrop } from "@/lib/claims/claim-drop";
import { connectTestChain } from "@/test/chain";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import { fromHex, leafHash, rootOf, toHex } from "./merkle";
import {
  type ChainCheckpointEvent,
  contractChain,
  type LeavesPage,
  type MonitorChain,
  type MonitorOptions,
  type MonitorProblemKind,
  monitorLog,
  type PublishedCheckpoint,
} from "./monitor-log";

const db = connectTestDb(10);
const chain = connectTestChain();
let realChain: MonitorChain;

// The test database is shared with other files running at the same time (each with its own
// chain), so the published checkpoints are those of this file's contract, and the default audit
// tolerates leaves of other files that are younger than ten minutes and not on this chain.
const TOLERANT_DEADLINE = 600;

async function claimMany(count: number): Promise<void> {
  const { dropId } = await createTestDrop(db, { units: count });
  const players = await createPlayers(db, count);
  await Promise.all(players.map((playerId) => claimDrop(db, { dropId, playerId })));
}

const fetchLeaves = (start: number, end: number): Promise<LeavesPage> => listLeaves(db, start, end);

async function fetchCheckpoints(): Promise<PublishedCheckpoint[]> {
  const all = await listAnchoredCheckpoints(db);
  return all.filter((cp) => cp.contract?.toLowerCase() === chain.contractAddress.toLowerCase());
}

function audit(overrides: Partial<MonitorOptions> = {}) {
  return monitorLog({
    fetchLeaves,
    fetchCheckpoints,
    chain: realChain,
    deadlineSeconds: TOLERANT_DEADLINE,
    pageSize: 7, // several pages even for a small log
    ...overrides,
  });
}

function kinds(problems: Array<{ kind: MonitorProblemKind }>): MonitorProblemKind[] {
  return [...new Set(problems.map((p) => p.kind))].sort();
}

/** Leaves as served, with `edit` applied to the leaf at `index`. */
function editLeaf(index: number, edit: (bytes: Uint8Array) => void) {
  return async (start: number, end: number): Promise<LeavesPage> => {
    const page = await fetchLeaves(start, end);
    return {
      leaves: page.leaves.map((leaf) => {
        if (leaf.index !== index) return leaf;
        const bytes = fromHex(leaf.data);
        edit(bytes);
        return { index: leaf.index, data: toHex(bytes) };
      }),
    };
  };
}

beforeAll(async () => {
  realChain = contractChain(chain.provider, chain.contractAddress);
  await claimMany(9);
  expect((await anchoringPass(db, chain, 1000)).status).toBe("anchored");
  await claimMany(5);
  expect((await anchoringPass(db, chain, 1000)).status).toBe("anchored");
});

describe("monitorLog", () => {
  it("passes on the real log, API and chain, with two checkpoints", async () => {
    const events = await realChain.checkpointEvents();
    expect(events.length).toBe(2);
    const report = await audit();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.leaves).toBeGreaterThanOrEqual(14);
    expect(report.checkpointsChecked).toBe(2);
    expect(report.anchoredSize).toBe(events[1]?.treeSize);
  });

  it("reports a changed leaf byte as a root mismatch, against the API and the chain", async () => {
    // The last byte of the value field: the leaf still decodes.
    const report = await audit({
      fetchLeaves: editLeaf(3, (b) => {
        b[57] = (b[57] as number) ^ 1;
      }),
    });
    expect(report.ok).toBe(false);
    expect(kinds(report.problems)).toEqual(["root_mismatch"]);
    expect(report.problems.some((p) => p.detail.startsWith("API checkpoint"))).toBe(true);
    expect(report.problems.some((p) => p.detail.startsWith("on-chain checkpoint"))).toBe(true);
  });

  it("reports a leaf that does not decode", async () => {
    const report = await audit({
      fetchLeaves: editLeaf(0, (b) => {
        b[0] = 9;
      }),
    });
    expect(kinds(report.problems)).toEqual(["bad_leaf", "root_mismatch"]);
    expect(report.problems.find((p) => p.kind === "bad_leaf")?.detail).toMatch(/leaf 0:.*version/);
  });

  it("reports a dropped leaf as a gap", async () => {
    const report = await audit({
      fetchLeaves: async (start, end) => {
        const page = await fetchLeaves(start, end);
        return { leaves: page.leaves.filter((leaf) => leaf.index !== 4) };
      },
    });
    expect(report.ok).toBe(false);
    expect(report.leaves).toBe(4);
    expect(report.problems[0]).toEqual({
      kind: "gap",
      detail: "expected leaf 4, got leaf 5: the log is rebuilt only up to 4 leaves",
    });
    expect(kinds(report.problems)).toContain("chain_ahead_of_log");
  });

  it("reports a truncated log as the chain being ahead of it", async () => {
    const report = await audit({
      fetchLeaves: async (start, end) =>
        start >= 7 ? { leaves: [] } : fetchLeaves(start, Math.min(end, 7)),
    });
    expect(report.leaves).toBe(7);
    expect(kinds(report.problems)).toEqual(["chain_ahead_of_log", "root_mismatch"]);
  });

  it("reports a changed API checkpoint root and an API checkpoint missing on chain", async () => {
    const published = await fetchCheckpoints();
    const newest = published[0] as PublishedCheckpoint;
    const flipped = `${newest.rootHash.slice(0, -1)}${newest.rootHash.endsWith("0") ? "1" : "0"}`;
    const changed = await audit({
      fetchCheckpoints: async () => [{ ...newest, rootHash: flipped }, ...published.slice(1)],
    });
    expect(changed.problems).toEqual([
      {
        kind: "root_mismatch",
        detail: `API checkpoint ${newest.treeSize} has root ${flipped}, the rebuilt log has ${newest.rootHash}`,
      },
    ]);

    // A correct root for a size the contract never saw.
    const size = newest.treeSize - 1;
    const { leaves } = await fetchLeaves(0, size);
    const root = toHex(rootOf(leaves.map((leaf) => leafHash(fromHex(leaf.data)))));
    const missing = await audit({
      fetchCheckpoints: async () => [{ treeSize: size, rootHash: root }, ...published],
    });
    expect(missing.problems).toEqual([
      { kind: "missing_on_chain", detail: `API checkpoint ${size} is not on chain` },
    ]);
  });

  // Events read from too late a block (or a node serving only some logs) must not hide anything.
  it("reports the contract holding more checkpoints than the events found", async () => {
    const events = await realChain.checkpointEvents();
    const last = events[events.length - 1] as ChainCheckpointEvent;
    const report = await audit({
      chain: contractChain(chain.provider, chain.contractAddress, last.blockNumber),
      fetchCheckpoints: async () =>
        (await fetchCheckpoints()).filter((cp) => cp.treeSize === last.treeSize),
    });
    expect(report.problems).toEqual([
      {
        kind: "missing_on_chain",
        detail: `the contract holds ${events.length} checkpoints but only 1 CheckpointAppended events were found`,
      },
    ]);
  });

  it("reports published checkpoints that name another ledger, or no valid address", async () => {
    const published = await fetchCheckpoints();
    const newest = published[0] as PublishedCheckpoint;
    const ledger = { chainId: chain.chainId, contract: chain.contractAddress };
    expect((await audit({ ledger })).ok).toBe(true);

    const other = `0x${"ab".repeat(20)}`;
    // Our own contract, its checksum broken by one letter's case.
    const misspelt = chain.contractAddress.replace(/[a-f]/, (c) => c.toUpperCase());
    const report = await audit({
      ledger,
      fetchCheckpoints: async () => [
        { ...newest, contract: other },
        { ...newest, chainId: 1 },
        { ...newest, contract: misspelt },
        { ...newest, contract: null },
        ...published,
      ],
    });
    expect(report.problems).toEqual([
      {
        kind: "foreign_checkpoint",
        detail: `API checkpoint ${newest.treeSize} names contract ${other} on chain ${chain.chainId}, not the trusted ${chain.contractAddress} on chain ${chain.chainId}`,
      },
      {
        kind: "foreign_checkpoint",
        detail: `API checkpoint ${newest.treeSize} names contract ${newest.contract} on chain 1, not the trusted ${chain.contractAddress} on chain ${chain.chainId}`,
      },
      {
        kind: "foreign_checkpoint",
        detail: `API checkpoint ${newest.treeSize} names contract ${misspelt} on chain ${chain.chainId}: that is not a valid address`,
      },
      {
        kind: "foreign_checkpoint",
        detail: `API checkpoint ${newest.treeSize} names contract null on chain ${chain.chainId}: that is not a valid address`,
      },
    ]);
  });

  it("reports on-chain checkpoints out of order", async () => {
    const report = await audit({
      chain: {
        ...realChain,
        checkpointEvents: async () => (await realChain.checkpointEvents()).reverse(),
      },
    });
    expect(kinds(report.problems)).toEqual(["chain_not_increasing"]);
  });

  it("reports leaves past the anchoring deadline that are not anchored", async () => {
    await claimMany(2);
    for (;;) {
      const { appended } = await sequenceEntries(db, 1000);
      if (appended === 0) break;
    }
    const anchored = (await realChain.latestCheckpoint()).treeSize;
    expect((await audit()).ok).toBe(true);

    const late = await audit({ now: Date.now() + 86_400_000, deadlineSeconds: 60 });
    expect(late.ok).toBe(false);
    expect(kinds(late.problems)).toEqual(["unanchored_overdue"]);
    expect(late.leaves - anchored).toBeGreaterThanOrEqual(2);
    expect(late.problems[0]?.detail).toMatch(
      new RegExp(`^leaf ${anchored} is \\d+ s old and not covered`),
    );
  });
});
