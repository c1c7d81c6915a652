/**
 * The packed verifier as someone with no repository and no network runs it: the tarball `npm
 * pack` makes, run with `npx` from a directory outside the repository, with an empty home, an
 * empty npm cache and a registry that answers nothing. Only the chain node is reachable.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Contract } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEDGER_ABI } from "@/lib/ledger/contract";
import { MemoryLog, toHex } from "@/lib/ledger/merkle";
import { bundleReceipts } from "@/lib/ledger/model";
import type { Receipt } from "@/lib/ledger/receipt";
import { formatCheckpoint } from "@/lib/tlog/checkpoint";
import { cosign, generateSignerKey, parseSignerKey, signNote } from "@/lib/tlog/sign";
import { connectTestChain } from "@/test/chain";
import { anchorFirstCheckpoint, leafData, numberedLeaf } from "@/test/receipts";

const run = promisify(execFile);
const chain = connectTestChain();
const repository = path.resolve(import.meta.dirname, "../../..");
const manifest = JSON.parse(
  fs.readFileSync(path.join(repository, "packages/verify/package.json"), "utf8"),
) as { name: string; version: string; bin: Record<string, string>; dependencies?: object };

/** The leaves of the first checkpoint the receipts are of; the checkpoint tests extend them. */
const FIRST_LEAVES = [
  numberedLeaf(1),
  numberedLeaf(2),
  { ...numberedLeaf(2), delivered: "delivered" as const },
];

let tmp = "";
let tarball = "";
/** The stranger's directory: the tarball and the receipts, nothing of the repository. */
let away = "";

type Outcome = { code: number; out: string };

/** One npx run's limit: past it the run is killed and reported as the failure it is. */
const NPX_TIMEOUT = 60_000;
/**
 * A test's limit, above its npx runs' limits together, so that a slow machine reports the
 * command's own failure rather than the test's timeout.
 */
const runsOf = (count: number) => count * NPX_TIMEOUT + 30_000;

/** Runs `npx args…` in `away` with an empty home and npm cache, and a dead registry. */
async function npx(args: string[]): Promise<Outcome> {
  // Not even the repository's node_modules/.bin, which `npx vitest` puts on PATH.
  const outside = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => path.relative(repository, dir).startsWith(".."));
  const env = {
    NODE_ENV: "production" as const,
    PATH: outside.join(path.delimiter),
    HOME: path.join(tmp, "home"),
    npm_config_cache: path.join(tmp, "npm-cache"),
    npm_config_registry: "http://127.0.0.1:9/",
    npm_config_update_notifier: "false",
  };
  try {
    const { stdout, stderr } = await run("npx", ["--yes", ...args], {
      cwd: away,
      env,
      timeout: NPX_TIMEOUT,
    });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, out: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

function write(name: string, doc: unknown): string {
  fs.writeFileSync(path.join(away, name), JSON.stringify(doc));
  return name;
}

let genuine = "";
let tampered = "";
/** A claim with its delivery, as a redemption's page downloads them; and a pair that is not one. */
let chainFile = "";
let mismatchedChain = "";

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "prizeledger-verify-pkg-"));
  for (const dir of ["home", "npm-cache", "packed", "away"]) fs.mkdirSync(path.join(tmp, dir));
  away = path.join(tmp, "away");
  // npm pack runs the package's prepack: the tarball carries a bundle built now, never a stale one.
  // It builds into the repository's packages/verify/dist (npm packs the package's own files), but
  // writeBundles writes each file aside and renames it over the old one: a reader at the same
  // time (no test reads it but this pack) sees the old file or the new one, never a part.
  await run(
    "npm",
    ["pack", "-w", "packages/verify", "--pack-destination", path.join(tmp, "packed")],
    {
      cwd: repository,
      timeout: 120_000,
    },
  );
  const [packed] = fs.readdirSync(path.join(tmp, "packed"));
  if (!packed) throw new Error("npm pack made no tarball");
  fs.copyFileSync(path.join(tmp, "packed", packed), path.join(away, packed));
  tarball = `./${packed}`;

  const [other, receipt, delivery] = (await anchorFirstCheckpoint(
    chain.signer,
    chain.provider,
    chain.contractAddress,
    FIRST_LEAVES,
  )) as [Receipt, Receipt, Receipt];
  chainFile = write("chain.json", bundleReceipts(receipt, delivery));
  mismatchedChain = write("mismatched-chain.json", bundleReceipts(other, delivery));
  genuine = write("genuine.json", receipt);
  // One byte of the entry changed (its value, say): the proof no longer leads to the anchored root.
  const data = receipt.leaf.data;
  const flipped = `${data.slice(0, -2)}${data.endsWith("00") ? "01" : "00"}`;
  tampered = write("tampered.json", { ...receipt, leaf: { ...receipt.leaf, data: flipped } });
}, 180_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const pin = () => [
  "--contract",
  chain.contractAddress,
  "--chain-id",
  String(chain.chainId),
  "--rpc",
  chain.rpcUrl,
];

describe("prizeledger-verify from its packed tarball, offline and away from the repository", () => {
  it("is named for its bin, and runs outside the repository", () => {
    expect(path.basename(tarball)).toBe(`prizeledger-verify-${manifest.version}.tgz`);
    expect(path.relative(repository, away).startsWith("..")).toBe(true);
  });

  it(
    "verifies a genuine receipt, the tarball given as the package (npx ./x.tgz <file>)",
    async () => {
      const result = await npx([tarball, genuine, ...pin()]);
      expect(result.out).toContain("Trusting --contract and --chain-id");
      expect(result.out).toContain("✓ Inclusion in the checkpoint");
      expect(result.out).toContain("Receipt verified.");
      expect(result.code).toBe(0);
    },
    runsOf(1),
  );

  it(
    "refuses a tampered receipt with exit 1, saying which step failed and why",
    async () => {
      const result = await npx([
        "--package",
        tarball,
        "prizeledger-verify",
        "receipt",
        tampered,
        ...pin(),
      ]);
      expect(result.out).toMatch(
        /✗ Inclusion in the checkpoint: The inclusion proof does not lead/,
      );
      expect(result.out).toContain("Receipt NOT verified");
      expect(result.code).toBe(1);
    },
    runsOf(1),
  );

  it(
    "verifies a chain file (a claim and its delivery), and names a pair that is not one",
    async () => {
      const result = await npx([tarball, chainFile, ...pin()]);
      expect(result.out).toContain("Claim receipt:\n  ✓ Receipt format");
      expect(result.out).toContain("✓ Claim and delivery: Both entries are of redemption");
      expect(result.out).toContain(
        `Receipt chain verified: redemption ${numberedLeaf(2).entryId} was claimed, then delivered.`,
      );
      expect(result.code).toBe(0);
      const mismatched = await npx([tarball, mismatchedChain, ...pin()]);
      expect(mismatched.out).toContain(
        "✗ Claim and delivery: The receipts are of different redemptions",
      );
      expect(mismatched.out).toContain("Receipt chain NOT verified (different_redemption).");
      expect(mismatched.code).toBe(1);
    },
    runsOf(2),
  );

  it(
    "names no ledger by default (exit 2), and has --help (exit 0)",
    async () => {
      const unpinned = await npx([tarball, genuine]);
      expect(unpinned.out).toContain("No ledger named: name the one to trust with --operator URL");
      expect(unpinned.code).toBe(2);
      const help = await npx(["--package", tarball, "prizeledger-verify", "--help"]);
      expect(help.out).toContain("usage: prizeledger-verify <receipt.json>");
      expect(help.out).toContain("prizeledger-verify checkpoint [<note file>] [--operator URL");
      expect(help.out).toContain("--since FILE       a checkpoint saved by --save");
      expect(help.out).toContain("Exit codes: 0 verified, 1 not verified");
      expect(help.code).toBe(0);
    },
    runsOf(2),
  );
});

describe("the package's manifest", () => {
  it("has no runtime dependency: npx would need a registry for any", () => {
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(Object.keys(manifest)).not.toContain("peerDependencies");
    expect(Object.keys(manifest)).not.toContain("optionalDependencies");
  });

  it("links its bin to the committed launcher, so npm ci links it before any build", () => {
    const launcher = manifest.bin["prizeledger-verify"] as string;
    const text = fs.readFileSync(path.join(repository, "packages/verify", launcher), "utf8");
    expect(text.startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(text).toContain('"../dist/cli.mjs"');
  });
});

/**
 * The log's signed checkpoints, served by a loopback stand-in for an operator's site (its
 * identity document, /checkpoint and the consistency proof endpoint) over a log of 3, then 5
 * leaves, both anchored on the real test chain. Its keys are made here with lib/tlog/sign.
 */
describe("prizeledger-verify checkpoint from the packed tarball", () => {
  const origin = "operator.test/log";
  const logKey = parseSignerKey(generateSignerKey(origin, 0x01).skey);
  const witnesses = ["w1.test", "w2.test"].map((name) =>
    parseSignerKey(generateSignerKey(name, 0x04).skey),
  );
  const tree = new MemoryLog();
  let server: Server | undefined;
  let site = "";
  /** What the stand-in serves at /checkpoint. */
  let served = "";
  const notes: Record<string, string> = {};

  /** The signed note at `size`, cosigned by the first `cosigners` witnesses. */
  function noteAt(size: number, cosigners: number): string {
    const text = formatCheckpoint({ origin, size, rootHash: tree.root(size) });
    const time = Math.floor(Date.now() / 1000) - 60;
    const lines = witnesses.slice(0, cosigners).map((w) => cosign(text, w, time));
    return `${text}\n${signNote(text, logKey)}${lines.join("")}`;
  }

  beforeAll(async () => {
    for (const leaf of FIRST_LEAVES) tree.append(leafData(leaf));
    for (const n of [3, 4]) tree.append(leafData(numberedLeaf(n)));
    const ledger = new Contract(chain.contractAddress, LEDGER_ABI, chain.signer);
    const proof = tree.consistencyProof(3, 5).map(toHex);
    await (await ledger.getFunction("appendCheckpoint")(5, toHex(tree.root(5)), proof)).wait();
    notes.three = noteAt(3, 2);
    notes.five = noteAt(5, 2);
    notes.fiveOneWitness = noteAt(5, 1);
    served = notes.three;
    const identity = {
      version: 1,
      chainId: chain.chainId,
      contract: chain.contractAddress,
      deploymentBlock: chain.deploymentBlock,
      receiptSigners: [],
      rpcUrl: chain.rpcUrl,
      log: { origin, key: logKey.vkey },
      witnesses: witnesses.map((w) => ({ key: w.vkey })),
      witnessQuorum: 2,
    };
    server = createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://localhost");
      if (url.pathname === "/.well-known/prizeledger.json") {
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify(identity));
      } else if (url.pathname === "/checkpoint") {
        response.setHeader("content-type", "text/plain; charset=utf-8");
        response.end(served);
      } else if (url.pathname === "/api/v1/ledger/proofs/consistency") {
        const from = Number(url.searchParams.get("from"));
        const to = Number(url.searchParams.get("to"));
        response.setHeader("content-type", "application/json");
        response.end(
          JSON.stringify({ from, to, proof: tree.consistencyProof(from, to).map(toHex) }),
        );
      } else {
        response.statusCode = 404;
        response.end();
      }
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    site = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    fs.writeFileSync(path.join(away, "one-witness.note"), notes.fiveOneWitness);
  });

  afterAll(
    () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  );

  /** A monitor's run: the operator's latest, against the one it kept, kept if it verifies. */
  const monitoring = () => ["--operator", site, "--since", "saved.note", "--save", "saved.note"];
  const checkpoint = (...args: string[]) =>
    npx(["--package", tarball, "prizeledger-verify", "checkpoint", ...args]);

  it(
    "verifies the operator's checkpoint, saves it, then the next one against it",
    async () => {
      served = notes.three as string;
      const first = await checkpoint("--operator", site, "--save", "saved.note");
      expect(first.out).toContain(`Trusting log ${origin} (key ${origin}+`);
      expect(first.out).toContain("✓ Log signature: Signed by the pinned key");
      expect(first.out).toContain(
        "✓ Witness cosignatures: 2 of 2 trusted witnesses cosigned (2 required): w1.test at",
      );
      expect(first.out).toContain("✓ Checkpoint on chain: The contract holds root");
      expect(first.out).toContain("Checkpoint verified.");
      expect(first.code).toBe(0);
      expect(fs.readFileSync(path.join(away, "saved.note"), "utf8")).toBe(notes.three);

      served = notes.five as string;
      const next = await checkpoint(...monitoring());
      expect(next.out).toContain(
        "✓ Consistency with the last verified checkpoint: The log of 5 entries extends the one of 3 verified earlier.",
      );
      expect(next.code).toBe(0);
      expect(fs.readFileSync(path.join(away, "saved.note"), "utf8")).toBe(notes.five);
    },
    runsOf(2),
  );

  it(
    "refuses a rollback to the earlier checkpoint (exit 1), and does not save it",
    async () => {
      // Its own starting point, whatever ran before: the monitor kept the checkpoint of 5.
      fs.writeFileSync(path.join(away, "saved.note"), notes.five as string);
      served = notes.three as string;
      const result = await checkpoint(...monitoring());
      expect(result.out).toContain(
        "✗ Consistency with the last verified checkpoint: Rollback: this checkpoint has 3 entries, one verified earlier had 5.",
      );
      expect(result.out).toContain("Checkpoint NOT verified (not saved to saved.note).");
      expect(result.code).toBe(1);
      expect(fs.readFileSync(path.join(away, "saved.note"), "utf8")).toBe(notes.five);
    },
    runsOf(1),
  );

  it(
    "requires k of n witnesses: a note file cosigned by one fails 2 of 2, passes --quorum 1",
    async () => {
      const strict = await checkpoint("one-witness.note", "--operator", site);
      expect(strict.out).toContain(
        "✗ Witness cosignatures: 1 of 2 trusted witnesses cosigned (2 required)",
      );
      expect(strict.code).toBe(1);
      const lenient = await checkpoint("one-witness.note", "--operator", site, "--quorum", "1");
      expect(lenient.code).toBe(0);
    },
    runsOf(2),
  );

  it(
    "pins the log by flags, and refuses to guess one (exit 2)",
    async () => {
      const flags = ["--log-key", logKey.vkey, "--origin", origin, ...pin()];
      const pinned = await checkpoint(
        "one-witness.note",
        ...flags,
        "--witness",
        witnesses[0]?.vkey ?? "",
      );
      expect(pinned.out).toContain("1 of 1 trusted witnesses cosigned");
      expect(pinned.code).toBe(0);
      const unpinned = await checkpoint("one-witness.note", ...pin());
      expect(unpinned.out).toContain(
        "No log pinned: no log key from --contract and --chain-id; name it with --operator URL",
      );
      expect(unpinned.code).toBe(2);
    },
    runsOf(2),
  );
});
