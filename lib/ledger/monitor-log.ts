/**
 * A log monitor: downloads every leaf, rebuilds the RFC 6962 log, and checks every published and
 * every on-chain checkpoint against it. Isomorphic: the leaves, the published checkpoints and the
 * chain are reached through the functions passed in (`contractChain` builds the chain side from an
 * ethers provider), so it runs in Node, in a browser and in tests against tampered data.
 */
import { type AbstractProvider, Contract, isAddress } from "ethers";
import { LEDGER_ABI } from "./contract";
import { decodeLeaf } from "./leaf";
import { fromHex, leafHash, MemoryLog, toHex, verifyConsistency } from "./merkle";

export type LeavesPage = { leaves: Array<{ index: number; data: string }> };
export type PublishedCheckpoint = {
  treeSize: number;
  rootHash: string;
  /** The ledger the log API says anchors it, when it says. */
  chainId?: number | null;
  contract?: string | null;
};
export type ChainCheckpointEvent = {
  treeSize: number;
  rootHash: string;
  blockTime: number;
  blockNumber?: number;
  txHash?: string;
};

export type MonitorChain = {
  latestCheckpoint(): Promise<{ treeSize: number; rootHash: string }>;
  /** The contract's checkpoint at `size`; a zero root when it holds none. */
  checkpointAt(size: number): Promise<{ rootHash: string; blockTime: number }>;
  /** Every CheckpointAppended event of the contract, in chain order. */
  checkpointEvents(): Promise<ChainCheckpointEvent[]>;
  /** How many checkpoints the contract holds, by its own count. */
  checkpointCount(): Promise<number>;
};

export type MonitorProblemKind =
  | "gap"
  | "bad_leaf"
  | "root_mismatch"
  | "inconsistent"
  | "chain_not_increasing"
  | "chain_ahead_of_log"
  | "missing_on_chain"
  | "foreign_checkpoint"
  | "unanchored_overdue";

export type MonitorProblem = { kind: MonitorProblemKind; detail: string };

export type MonitorReport = {
  ok: boolean;
  /** Leaves downloaded and rebuilt (up to the first gap or unreadable leaf). */
  leaves: number;
  /** Distinct tree sizes whose root was compared with the rebuilt log. */
  checkpointsChecked: number;
  /** The latest on-chain checkpoint's size (0 when the contract holds none). */
  anchoredSize: number;
  problems: MonitorProblem[];
};

export type MonitorOptions = {
  fetchLeaves(start: number, end: number): Promise<LeavesPage>;
  fetchCheckpoints(): Promise<PublishedCheckpoint[]>;
  chain: MonitorChain;
  /**
   * The pinned ledger the chain side reads. A published checkpoint naming another chain or
   * contract is a problem: it says the log is anchored somewhere this audit does not look.
   */
  ledger?: { chainId: number; contract: string };
  /** Leaves older than this and not covered by the latest on-chain checkpoint are overdue. */
  deadlineSeconds?: number;
  /** Current time in ms since the epoch. */
  now?: number;
  /** Leaves requested per page (the API serves at most 1000). */
  pageSize?: number;
  /** Progress callback, called after each page of leaves. */
  onProgress?: (leaves: number) => void;
};

export const DEFAULT_DEADLINE_SECONDS = 60;
const ZERO_ROOT = `0x${"0".repeat(64)}`;
/** Overdue leaves listed one by one before the rest are summarized. */
const MAX_OVERDUE_LISTED = 20;

function normalizeRoot(hex: string): string {
  return hex.toLowerCase();
}

/** Why a published checkpoint is not one of the pinned ledger's, or undefined when it is. */
function foreignCheckpoint(
  cp: PublishedCheckpoint,
  ledger: { chainId: number; contract: string },
): string | undefined {
  const named = `API checkpoint ${cp.treeSize} names contract ${cp.contract} on chain ${cp.chainId}`;
  // isAddress also refuses a mixed-case address whose checksum is wrong: a mistyped one.
  if (typeof cp.contract !== "string" || !isAddress(cp.contract)) {
    return `${named}: that is not a valid address`;
  }
  if (
    cp.chainId !== ledger.chainId ||
    cp.contract.toLowerCase() !== ledger.contract.toLowerCase()
  ) {
    return `${named}, not the trusted ${ledger.contract} on chain ${ledger.chainId}`;
  }
  return undefined;
}

export async function monitorLog(options: MonitorOptions): Promise<MonitorReport> {
  const deadlineMs = (options.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS) * 1000;
  const now = options.now ?? Date.now();
  const pageSize = options.pageSize ?? 1000;
  const problems: MonitorProblem[] = [];
  const report = (kind: MonitorProblemKind, detail: string) => problems.push({ kind, detail });

  // The chain and the published checkpoints are read before the leaves, so that a log that keeps
  // growing during the audit is never mistaken for a chain ahead of the log.
  // The count is read before the events, so a checkpoint appended meanwhile only adds events.
  const latest = await options.chain.latestCheckpoint();
  const count = await options.chain.checkpointCount();
  const events = await options.chain.checkpointEvents();
  const published = (await options.fetchCheckpoints()).filter((cp) => {
    const foreign = options.ledger && foreignCheckpoint(cp, options.ledger);
    if (foreign) report("foreign_checkpoint", foreign);
    return !foreign;
  });
  // Events read from too late a block, or a node serving partial logs, would hide checkpoints.
  if (events.length < count) {
    report(
      "missing_on_chain",
      `the contract holds ${count} checkpoints but only ${events.length} CheckpointAppended events were found`,
    );
  }

  // 1. Leaves: gap-free from 0, each one decodable, rebuilt into a log.
  const log = new MemoryLog();
  const times: number[] = [];
  let truncated = false;
  for (let start = 0; !truncated; ) {
    const page = await options.fetchLeaves(start, start + pageSize);
    if (page.leaves.length === 0) break;
    for (const leaf of page.leaves) {
      if (leaf.index !== log.size) {
        report(
          "gap",
          `expected leaf ${log.size}, got leaf ${leaf.index}: the log is rebuilt only up to ${log.size} leaves`,
        );
        truncated = true;
        break;
      }
      let bytes: Uint8Array;
      try {
        bytes = fromHex(leaf.data);
      } catch {
        report("bad_leaf", `leaf ${leaf.index} is not hex: the log is rebuilt only up to it`);
        truncated = true;
        break;
      }
      try {
        times.push(decodeLeaf(bytes).timeMs);
      } catch (error) {
        report("bad_leaf", `leaf ${leaf.index}: ${(error as Error).message}`);
        times.push(Number.NaN);
      }
      log.appendLeafHashes([leafHash(bytes)]);
    }
    start = log.size;
    options.onProgress?.(log.size);
  }

  const checked = new Set<number>();
  const rootAt = (size: number): string => {
    checked.add(size);
    return toHex(log.root(size));
  };

  // 2. Checkpoints published by the API: each matches the rebuilt log and is on chain.
  const eventSizes = new Set(events.map((e) => e.treeSize));
  const chainRoots = new Map<number, string>();
  for (const cp of published) {
    if (cp.treeSize > log.size) {
      report(
        "root_mismatch",
        `the API publishes a checkpoint of size ${cp.treeSize} but serves only ${log.size} leaves`,
      );
    } else {
      const rebuilt = rootAt(cp.treeSize);
      if (normalizeRoot(cp.rootHash) !== rebuilt) {
        report(
          "root_mismatch",
          `API checkpoint ${cp.treeSize} has root ${cp.rootHash}, the rebuilt log has ${rebuilt}`,
        );
      }
    }
    if (!eventSizes.has(cp.treeSize)) {
      const onChain = await options.chain.checkpointAt(cp.treeSize);
      chainRoots.set(cp.treeSize, normalizeRoot(onChain.rootHash));
      if (normalizeRoot(onChain.rootHash) === ZERO_ROOT) {
        report("missing_on_chain", `API checkpoint ${cp.treeSize} is not on chain`);
      } else if (normalizeRoot(onChain.rootHash) !== normalizeRoot(cp.rootHash)) {
        report(
          "root_mismatch",
          `API checkpoint ${cp.treeSize} has root ${cp.rootHash}, the contract holds ${onChain.rootHash}`,
        );
      } else {
        report("missing_on_chain", `API checkpoint ${cp.treeSize} has no CheckpointAppended event`);
      }
    }
  }

  // 3. On-chain checkpoints: strictly increasing, each root matches the contract's storage and
  // the rebuilt log, consecutive ones consistent.
  if (latest.treeSize > 0 && !eventSizes.has(latest.treeSize)) {
    report(
      "missing_on_chain",
      `the contract's latest checkpoint ${latest.treeSize} has no CheckpointAppended event`,
    );
  }
  const lastEvent = events[events.length - 1];
  if (lastEvent && lastEvent.treeSize !== latest.treeSize) {
    report(
      "chain_not_increasing",
      `the last CheckpointAppended event is for size ${lastEvent.treeSize} but the contract's latest checkpoint is ${latest.treeSize}`,
    );
  }
  let previous: ChainCheckpointEvent | undefined;
  let previousMatches = false;
  for (const event of events) {
    const where = event.txHash ? ` (tx ${event.txHash})` : "";
    if (previous && event.treeSize <= previous.treeSize) {
      report(
        "chain_not_increasing",
        `on-chain checkpoint ${event.treeSize}${where} follows checkpoint ${previous.treeSize}`,
      );
    }
    const stored =
      chainRoots.get(event.treeSize) ?? (await options.chain.checkpointAt(event.treeSize)).rootHash;
    chainRoots.set(event.treeSize, normalizeRoot(stored));
    if (normalizeRoot(stored) !== normalizeRoot(event.rootHash)) {
      report(
        "root_mismatch",
        `on-chain checkpoint ${event.treeSize}: the event has root ${event.rootHash}, checkpointAt returns ${stored}`,
      );
    }
    // Roots that match the rebuilt log are consistent with each other by construction; the proof
    // is still checked, from the rebuilt log, so that the monitor does not rest on that argument.
    let matches = false;
    if (event.treeSize <= log.size) {
      const rebuilt = rootAt(event.treeSize);
      matches = normalizeRoot(event.rootHash) === rebuilt;
      if (!matches) {
        report(
          "root_mismatch",
          `on-chain checkpoint ${event.treeSize}${where} has root ${event.rootHash}, the rebuilt log has ${rebuilt}`,
        );
      }
    }
    if (
      matches &&
      previousMatches &&
      previous &&
      previous.treeSize > 0 &&
      previous.treeSize < event.treeSize &&
      !verifyConsistency(
        previous.treeSize,
        event.treeSize,
        fromHex(previous.rootHash),
        fromHex(event.rootHash),
        log.consistencyProof(previous.treeSize, event.treeSize),
      )
    ) {
      report(
        "inconsistent",
        `on-chain checkpoints ${previous.treeSize} and ${event.treeSize} fail the consistency proof`,
      );
    }
    previousMatches = matches;
    previous = event;
  }
  if (latest.treeSize > log.size) {
    report(
      "chain_ahead_of_log",
      `the contract's latest checkpoint has size ${latest.treeSize} but the log serves only ${log.size} leaves`,
    );
  } else if (latest.treeSize > 0) {
    const rebuilt = rootAt(latest.treeSize);
    if (normalizeRoot(latest.rootHash) !== rebuilt && !eventSizes.has(latest.treeSize)) {
      report(
        "root_mismatch",
        `the contract's latest checkpoint ${latest.treeSize} has root ${latest.rootHash}, the rebuilt log has ${rebuilt}`,
      );
    }
  }

  // 4. Leaves past the latest on-chain checkpoint that are older than the anchoring deadline.
  const overdue: number[] = [];
  for (let index = latest.treeSize; index < times.length; index++) {
    const time = times[index] as number;
    if (Number.isFinite(time) && time < now - deadlineMs) overdue.push(index);
  }
  for (const index of overdue.slice(0, MAX_OVERDUE_LISTED)) {
    const ageSeconds = Math.round((now - (times[index] as number)) / 1000);
    report(
      "unanchored_overdue",
      `leaf ${index} is ${ageSeconds} s old and not covered by the latest on-chain checkpoint (size ${latest.treeSize})`,
    );
  }
  if (overdue.length > MAX_OVERDUE_LISTED) {
    report(
      "unanchored_overdue",
      `and ${overdue.length - MAX_OVERDUE_LISTED} more leaves past the anchoring deadline`,
    );
  }

  return {
    ok: problems.length === 0,
    leaves: log.size,
    checkpointsChecked: checked.size,
    anchoredSize: latest.treeSize,
    problems,
  };
}

/**
 * The chain side of an audit, read from the ledger contract at `address`; its events from
 * `fromBlock` on (its deployment block, when known: nodes may refuse to scan a whole chain).
 */
export function contractChain(
  provider: AbstractProvider,
  address: string,
  fromBlock = 0,
): MonitorChain {
  const contract = new Contract(address, LEDGER_ABI, provider);
  return {
    async latestCheckpoint() {
      const [treeSize, rootHash] = (await contract.getFunction("latestCheckpoint")()) as [
        bigint,
        string,
      ];
      return { treeSize: Number(treeSize), rootHash };
    },
    async checkpointAt(size) {
      const [rootHash, blockTime] = (await contract.getFunction("checkpointAt")(size)) as [
        string,
        bigint,
      ];
      return { rootHash, blockTime: Number(blockTime) };
    },
    async checkpointCount() {
      return Number(await contract.getFunction("checkpointCount")());
    },
    async checkpointEvents() {
      const logs = await contract.queryFilter(
        contract.getEvent("CheckpointAppended"),
        fromBlock,
        "latest",
      );
      return logs.map((entry) => {
        const parsed = contract.interface.parseLog(entry);
        if (!parsed) throw new Error(`unparseable log in transaction ${entry.transactionHash}`);
        return {
          treeSize: Number(parsed.args[0]),
          rootHash: String(parsed.args[1]),
          blockTime: Number(parsed.args[2]),
          blockNumber: entry.blockNumber,
          txHash: entry.transactionHash,
        };
      });
    },
  };
}
