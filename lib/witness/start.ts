import "server-only";
import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { getAddress } from "ethers";
import { fetchLedgerIdentity, identityDocumentUrl, WELL_KNOWN_PATH } from "@/lib/ledger/identity";
import type { Log } from "@/lib/log";
import { parseVerifierKey } from "@/lib/tlog/note";
import { parseSignerKey } from "@/lib/tlog/sign";
import { contractAnchors } from "./chain";
import { loadOrCreateWitnessKey } from "./key";
import { createWitnessServer } from "./server";
import {
  lockDataDir,
  type Pin,
  pinSchema,
  readState,
  type WitnessState,
  writeState,
} from "./state";
import { type ChainAnchors, createWitness } from "./witness";

/** Where the pin comes from: the four flags, the log's published document, or the stored pin. */
export type PinSource = { pin: Pin } | { logUrl: string } | "stored";

export type WitnessConfig = {
  dataDir: string;
  name: string;
  source: PinSource;
  /** Replace a stored pin that differs from the source's (the operator's explicit step). */
  repin: boolean;
  /** The chain node to read the contract from (null only when `anchors` stands in for it). */
  rpcUrl: string | null;
  /** How many blocks deep a checkpoint must be on chain (1: the latest block). */
  confirmations?: number;
  host: string;
  port: number;
  log: Log;
  fetchFn?: typeof fetch;
  /** Replaces the node at rpcUrl (tests that need a chain answering what they choose). */
  anchors?: ChainAnchors;
};

/** A pin from flags, checked and normalized as the published document's would be. */
export function explicitPin(flags: {
  origin: string;
  logKey: string;
  contract: string;
  chainId: number;
}): Pin {
  let key: ReturnType<typeof parseVerifierKey>;
  try {
    key = parseVerifierKey(flags.logKey);
  } catch (error) {
    throw new Error(`--log-key: ${(error as Error).message}`);
  }
  if (key.type !== 0x01)
    throw new Error("--log-key must be the log's Ed25519 (type 0x01) verifier key");
  if (!/^0x[0-9a-fA-F]{40}$/.test(flags.contract))
    throw new Error("--contract must be 0x and 40 hex digits");
  const pin = { ...flags, contract: getAddress(flags.contract.toLowerCase()) };
  const parsed = pinSchema.safeParse(pin);
  if (!parsed.success) throw new Error(`the pin is not valid: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/**
 * Where a log publishes its identity: https, or http on this machine only. The first start pins
 * what this document says, so a network attacker must not be able to answer it in plain text.
 * Throws in words for any other URL.
 */
export function logDocumentUrl(logUrl: string): URL {
  return new URL(WELL_KNOWN_PATH, identityDocumentUrl(logUrl));
}

async function fetchPin(logUrl: string, fetchFn?: typeof fetch): Promise<Pin> {
  const url = logDocumentUrl(logUrl);
  const identity = await fetchLedgerIdentity(url, fetchFn);
  if (!identity.log) {
    throw new Error(
      `${url} names no transparency log (origin and key): this log signs no checkpoints yet`,
    );
  }
  return explicitPin({
    origin: identity.log.origin,
    logKey: identity.log.key,
    contract: identity.contract,
    chainId: identity.chainId,
  });
}

function samePin(a: Pin, b: Pin): boolean {
  return (
    a.origin === b.origin &&
    a.logKey === b.logKey &&
    a.chainId === b.chainId &&
    a.contract.toLowerCase() === b.contract.toLowerCase()
  );
}

function describePin(pin: Pin): string {
  return `origin ${pin.origin}, log key ${pin.logKey}, contract ${pin.contract} on chain ${pin.chainId}`;
}

/**
 * The state to run with: the stored one, or a first one pinning what the source says (trust on
 * first use). A source that says something else than the stored pin stops the start, unless the
 * operator repins; what was cosigned per origin is kept either way.
 */
export async function resolveState(config: WitnessConfig): Promise<WitnessState> {
  const stored = readState(config.dataDir);
  if (config.source === "stored") {
    if (!stored)
      throw new Error(
        "no log is pinned yet: give --log <url>, or --origin, --log-key, --contract and --chain-id",
      );
    return stored;
  }
  const pin =
    "pin" in config.source
      ? config.source.pin
      : await fetchPin(config.source.logUrl, config.fetchFn);
  if (stored && samePin(stored.pin, pin)) return stored;
  if (stored && !config.repin) {
    throw new Error(
      `the log's identity changed: pinned ${describePin(stored.pin)}; now ${describePin(pin)}. ` +
        "If the operator announced this change, start again with --repin",
    );
  }
  const state: WitnessState = { version: 1, pin, logs: stored?.logs ?? {} };
  writeState(config.dataDir, state);
  return state;
}

/** Starts a witness: its data directory claimed, pin and state, key, server. */
export async function startWitness(config: WitnessConfig) {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const release = lockDataDir(config.dataDir);
  try {
    return await startLocked(config, release);
  } catch (error) {
    release();
    throw error;
  }
}

async function startLocked(config: WitnessConfig, release: () => void) {
  const state = await resolveState(config);
  const { skey, vkey } = loadOrCreateWitnessKey(config.dataDir, config.name);
  const chain =
    config.anchors ??
    (config.rpcUrl ? contractAnchors(config.rpcUrl, state.pin, config.confirmations) : null);
  if (!chain) {
    throw new Error(
      "a witness needs a chain node (--rpc): it cosigns only what the contract holds",
    );
  }
  const witness = createWitness({
    dataDir: config.dataDir,
    key: parseSignerKey(skey),
    pin: state.pin,
    state,
    anchors: chain,
    log: config.log,
  });
  const server = createWitnessServer(witness, config.log);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    name: config.name,
    vkey,
    pin: state.pin,
    witness,
    /** Stops taking requests, lets the one being cosigned finish its write, then closes. */
    async close(): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await witness.idle();
      await closed;
      if ("close" in chain && typeof chain.close === "function") chain.close();
      release();
    },
  };
}

export type RunningWitness = Awaited<ReturnType<typeof startWitness>>;
