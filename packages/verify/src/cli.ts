/**
 * The verifier's command line, one module for both ways of running it: `npm run verify` inside a
 * Prizeledger repository (scripts/verify.ts, which adds the installation's ledger as the default
 * trust root) and `prizeledger-verify` from the standalone package (./main.ts, no installation).
 * It verifies with lib/ledger/*, the very modules /verify runs in the browser.
 *
 * Exit codes: 0 only if every step passes, 1 if any fails, 2 on a usage error (bad flags, no
 * trusted ledger named, an identity document that cannot be used).
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { JsonRpcProvider } from "ethers";
import {
  contractCheckpoints,
  fetchCheckpointNote,
  operatorConsistencyProofs,
  readSavedCheckpoint,
} from "@/lib/ledger/checkpoint-sources";
import { describeTrustRoot, LedgerIdentityError, type TrustRoot } from "@/lib/ledger/identity";
import type { DeliveryOutcome } from "@/lib/ledger/leaf";
import { RECEIPT_CHAIN_TYPE } from "@/lib/ledger/model";
import { verifyProvisionalReceipt } from "@/lib/ledger/provisional";
import { verifyReceipt } from "@/lib/ledger/receipt";
import { readReceiptInput, verifyReceiptChain } from "@/lib/ledger/receipt-chain";
import { formatKeyId } from "@/lib/tlog/note";
import { type CheckpointTrust, verifyCheckpoint } from "@/lib/tlog/verify-checkpoint";
import { type CheckpointFlags, logSite, pinCheckpointTrust } from "./checkpoint-pin";
import { type Installation, OPERATORS_NODE, type PinnedLedger, pinLedger } from "./pin";

export type CliOptions = {
  /** How the user runs it, for the usage line: `npm run verify --` or `prizeledger-verify`. */
  command: string;
  /** Inside an installation: whose ledger is trusted when no flag names one. */
  installation?: () => Installation;
};

/** A usage error or a failed check: its message, and the exit code it ends the command with. */
class Exit extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

const PIN_FLAGS =
  "[--operator URL | --contract 0x… --chain-id N] [--rpc URL] [--log-key VKEY] [--witness VKEY]… [--quorum K]";

/**
 * The subcommands, by name: each takes its positional arguments and the pinning flags. A bare
 * `<file>` means `receipt <file>`, as before there were subcommands.
 */
const COMMANDS: Record<string, Command> = {
  receipt: { args: `<receipt.json> ${PIN_FLAGS}`, run: verifyReceiptFile },
  checkpoint: {
    args: `[<note file>] ${PIN_FLAGS}
           [--origin ORIGIN] [--log URL] [--since FILE] [--save FILE]`,
    run: verifyCheckpointFile,
  },
};
const DEFAULT_COMMAND = "receipt";
type Command = { args: string; run: (args: string[], pinning: Pinning) => Promise<number> };
type Pinning = {
  flags: Parameters<typeof pinLedger>[0];
  checkpoint: CheckpointFlags & { since?: string; save?: string };
  options: CliOptions;
};

function usage(options: CliOptions): string {
  return `usage: ${options.command} ${(COMMANDS[DEFAULT_COMMAND] as Command).args}`;
}

function help(options: CliOptions): string {
  const trustDefault = options.installation
    ? "With none of them, this installation's ledger (LEDGER_* settings, or the contract npm start deployed)."
    : "One of them is required (--contract also needs --rpc): no ledger is trusted by default.";
  const forms = Object.entries(COMMANDS).map(
    ([name, { args }]) => `${options.command} ${name} ${args}`,
  );
  return `${usage(options)}
${forms.map((form) => `       ${form}`).join("\n")}

Verifies a Prizeledger receipt (anchored, or provisional), or a chain file (a claim receipt and its
delivery receipt), against a ledger you pin, never the one the receipt names: its leaf, its
inclusion proof, the checkpoint the contract holds on chain, the log's signature on it and the
witnesses' cosignatures; for a chain, that the two pair.
"checkpoint" verifies the log's signed checkpoint (a note file, else the log's /checkpoint): the
pinned log key's signature, k of n pinned witnesses' cosignatures, consistency with a checkpoint
saved earlier, and the root the contract holds for its size.

  --operator URL     trust the ledger an operator publishes at URL/.well-known/prizeledger.json
  --contract 0x…     trust this ledger contract…
  --chain-id N       …on this chain
  --rpc URL          ask this chain node (your own) instead of the pinned source's
  --log-key VKEY     the log's checkpoint key (name+id+base64, type 0x01), instead of the source's
  --witness VKEY     a witness you trust (type 0x04); repeat for each, instead of the source's list
  --quorum K         how many of them must have cosigned the (receipt's) checkpoint
                     (default: with --witness, all of them; else the operator's
                     published quorum, else 0)
  -h, --help         show this help

${trustDefault}

checkpoint only:
  --origin ORIGIN    the log's origin line (default: the document's, or the --log-key's name)
  --log URL          the log's site (/checkpoint, proofs), if not the --operator's
  --since FILE       a checkpoint saved by --save: this one must be consistent with it
  --save FILE        save the checkpoint there once every step passed, for the next --since

Exit codes: 0 verified, 1 not verified (the failed step says why), 2 usage error.`;
}

/** Runs the command line `argv` (without node and the script); resolves to the exit code. */
export async function runCli(argv: string[], options: CliOptions): Promise<number> {
  try {
    return await dispatch(argv, options);
  } catch (error) {
    if (!(error instanceof Exit)) throw error;
    console.error(error.message);
    return error.code;
  }
}

async function dispatch(argv: string[], options: CliOptions): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new Exit(
      `${error instanceof Error ? error.message : String(error)}\n${usage(options)}`,
      2,
    );
  }
  const { positionals, values } = parsed;
  if (values.help) {
    console.log(help(options));
    return 0;
  }
  const [first, ...rest] = positionals;
  const named = first !== undefined && Object.hasOwn(COMMANDS, first);
  const command = COMMANDS[named ? first : DEFAULT_COMMAND] as Command;
  const flags = {
    operator: values.operator,
    contract: values.contract,
    chainId: values["chain-id"],
    rpc: values.rpc,
    logKey: values["log-key"],
    witnesses: values.witness,
    quorum: values.quorum,
  };
  const checkpoint = {
    origin: values.origin,
    log: values.log,
    since: values.since,
    save: values.save,
  };
  return command.run(named ? rest : positionals, { flags, checkpoint, options });
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      rpc: { type: "string" },
      operator: { type: "string" },
      contract: { type: "string" },
      "chain-id": { type: "string" },
      "log-key": { type: "string" },
      witness: { type: "string", multiple: true },
      quorum: { type: "string" },
      origin: { type: "string" },
      log: { type: "string" },
      since: { type: "string" },
      save: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/** The trusted ledger; any reason there is none is a usage error (exit 2). */
async function pin({ flags, options }: Pinning): Promise<PinnedLedger> {
  try {
    return await pinLedger(flags, options.installation?.());
  } catch (error) {
    if (error instanceof LedgerIdentityError) throw new Exit(error.message, 2);
    const message = error instanceof Error ? error.message : String(error);
    throw new Exit(`${message}\n${usage(options)}`, 2);
  }
}

async function readReceipt(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    const reason =
      error instanceof SyntaxError ? `is not JSON (${error.message})` : "cannot be read";
    throw new Exit(`${file} ${reason}`, 1);
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch {
    throw new Exit(`${file} cannot be read`, 1);
  }
}

type PrintedStep = {
  ok: boolean;
  label: string;
  detail: string;
  skipped?: true;
  unchecked?: true;
};

function printStep(step: PrintedStep, indent = ""): void {
  const mark = step.skipped || step.unchecked ? "–" : step.ok ? "✓" : "✗";
  console.log(`${indent}${mark} ${step.label}: ${step.detail}`);
}

/**
 * `receipt <file>` (a file named "receipt" is then given as ./receipt): one receipt, or a chain
 * file (a claim receipt and its delivery receipt, as a redemption's page downloads them).
 */
async function verifyReceiptFile(args: string[], pinning: Pinning): Promise<number> {
  const [file] = args;
  if (file === undefined || args.length !== 1) throw new Exit(usage(pinning.options), 2);
  const checkpointFlag = Object.entries(pinning.checkpoint).find(([, v]) => v !== undefined);
  if (checkpointFlag) {
    const flag = `--${checkpointFlag[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new Exit(`a receipt takes no checkpoint flags (${flag})\n${usage(pinning.options)}`, 2);
  }
  const { trust, rpcUrl: rpc, operatorsNode } = await pin(pinning);
  const doc = await readReceipt(file);
  // Only a file that says it is a chain is read as one: any other document is one receipt, as
  // before chains (a delivery receipt alone verifies as the receipt it is).
  const chain = (doc as { type?: unknown } | null)?.type === RECEIPT_CHAIN_TYPE;
  const input = chain ? readReceiptInput(doc) : undefined;
  if (input?.mode === "invalid") throw new Exit(`${file}: ${input.error}`, 1);
  // The pinned chain id only spares ethers a network probe: the chain step asks the node itself.
  const provider = new JsonRpcProvider(rpc, trust.chainId, { staticNetwork: true });
  console.log(`Trusting ${describeTrustRoot(trust)}`);
  console.log(`Verifying ${file} against ${rpc}`);
  if (operatorsNode) console.log(`  ${OPERATORS_NODE}`);
  try {
    return input?.mode === "chain"
      ? await verifyChain(input, provider, trust)
      : await verifyOne(doc, provider, trust);
  } finally {
    provider.destroy();
  }
}

async function verifyOne(
  receipt: unknown,
  provider: JsonRpcProvider,
  trust: TrustRoot,
): Promise<number> {
  // A provisional receipt (status "pending") carries a signed promise instead of a proof.
  const provisional = (receipt as { status?: unknown } | null)?.status === "pending";
  const { ok, reason } = provisional
    ? await verifyProvisionalReceipt(receipt, provider, trust).then((r) => {
        for (const step of r.steps) printStep(step);
        return r;
      })
    : await verifyReceipt(receipt, provider, trust, (step) => printStep(step));
  console.log(
    ok
      ? provisional
        ? "Provisional receipt verified: a signed promise to anchor by its deadline."
        : "Receipt verified."
      : `Receipt NOT verified${reason ? ` (${reason})` : ""}.`,
  );
  return ok ? 0 : 1;
}

/** What a verified chain proves happened after the claim, by the delivery's outcome. */
const AFTER_CLAIM: Record<DeliveryOutcome, string> = {
  delivered: "delivered",
  dead: "its delivery stopped",
  cancelled: "its delivery was cancelled",
};

/** Each link's steps under its name, whether they pair, and what the chain proves if it holds. */
async function verifyChain(
  links: { claim?: unknown; delivery?: unknown },
  provider: JsonRpcProvider,
  trust: TrustRoot,
): Promise<number> {
  const result = await verifyReceiptChain(links, provider, trust);
  const reasons: string[] = [];
  for (const [name, link] of [
    ["Claim receipt", result.claim],
    ["Delivery receipt", result.delivery],
  ] as const) {
    if (!link.present) {
      console.log(`${name}: missing`);
      continue;
    }
    console.log(`${name}${link.provisional ? " (provisional)" : ""}:`);
    for (const step of link.steps) printStep(step, "  ");
    if (link.reason) reasons.push(link.reason);
  }
  const { pairing } = result;
  printStep({ ok: pairing.ok, label: "Claim and delivery", detail: pairing.detail });
  if (!pairing.ok) reasons.push(pairing.code);
  console.log(
    result.ok && pairing.ok
      ? `Receipt chain verified: redemption ${pairing.redemptionId} was claimed, then ${AFTER_CLAIM[pairing.outcome]}.`
      : `Receipt chain NOT verified${reasons.length > 0 ? ` (${reasons.join(", ")})` : ""}.`,
  );
  return result.ok ? 0 : 1;
}

/** The pinned log and witnesses, said before the verdict as the trusted ledger is. */
function describeCheckpointTrust(trust: CheckpointTrust, quorumFrom: string | undefined): string {
  const log = `log ${trust.origin} (key ${trust.logKey.name}+${formatKeyId(trust.logKey.keyId)})`;
  const names = trust.witnesses.map((w) => w.name).join(", ");
  const from = quorumFrom ? ` (k from ${quorumFrom})` : "";
  return trust.witnesses.length === 0
    ? `${log}, no witnesses`
    : `${log}, ${trust.quorum} of the ${trust.witnesses.length} witnesses ${names}${from}`;
}

/** Usage errors of the checkpoint flags, as pinning's are. */
function pinCheckpoint(pinning: Pinning, pinned: PinnedLedger) {
  try {
    const trust = pinCheckpointTrust(pinning.checkpoint, pinned.trust);
    return { trust, site: logSite(pinning.checkpoint, pinned.operatorOrigin) };
  } catch (error) {
    if (error instanceof LedgerIdentityError) throw new Exit(error.message, 2);
    throw error;
  }
}

/** The note to verify: the file's, else the log's latest, and where it came from. */
async function readNote(file: string | undefined, site: string | undefined, pinning: Pinning) {
  if (file !== undefined) return { note: await readText(file), from: file };
  if (site === undefined) {
    throw new Exit(
      `give a note file, or the log's site with --operator or --log\n${usage(pinning.options)}`,
      2,
    );
  }
  try {
    return { note: await fetchCheckpointNote(site), from: `${site}/checkpoint` };
  } catch (error) {
    throw new Exit((error as Error).message, 1);
  }
}

/** Writes through a temporary file: a crash never leaves half a checkpoint for --since. */
async function saveNote(file: string, note: string): Promise<void> {
  const partial = `${file}.partial`;
  await writeFile(partial, note);
  await rename(partial, file);
}

/**
 * `checkpoint [<note file>]`: the log's signed checkpoint against the pinned log key, witnesses
 * and contract; `--since` a checkpoint saved earlier, `--save` this one once it verified.
 */
async function verifyCheckpointFile(args: string[], pinning: Pinning): Promise<number> {
  if (args.length > 1) throw new Exit(usage(pinning.options), 2);
  const pinned = await pin(pinning);
  const { trust, site } = pinCheckpoint(pinning, pinned);
  const { note, from } = await readNote(args[0], site, pinning);
  const { since, save } = pinning.checkpoint;
  let previous: Awaited<ReturnType<typeof readSavedCheckpoint>> | undefined;
  if (since !== undefined) {
    try {
      previous = await readSavedCheckpoint(await readText(since), trust);
    } catch (error) {
      if (error instanceof Exit) throw error;
      throw new Exit(`${since}: ${(error as Error).message}`, 1);
    }
  }
  const consistencyProof =
    site === undefined
      ? async () => {
          throw new Error("no log site to ask for a proof: name it with --operator or --log");
        }
      : operatorConsistencyProofs(site);
  const provider = new JsonRpcProvider(pinned.rpcUrl, pinned.trust.chainId, {
    staticNetwork: true,
  });
  console.log(`Trusting ${describeTrustRoot(pinned.trust)}`);
  console.log(`Trusting ${describeCheckpointTrust(trust, pinned.trust.quorumFrom)}`);
  console.log(`Verifying the checkpoint from ${from} against ${pinned.rpcUrl}`);
  if (pinned.operatorsNode) console.log(`  ${OPERATORS_NODE}`);
  try {
    const result = await verifyCheckpoint(
      note,
      trust,
      { consistencyProof, anchoredRoot: contractCheckpoints(provider, pinned.trust) },
      { ...(previous && { previous }), onStep: (step) => printStep(step) },
    );
    if (result.ok && save !== undefined) {
      await saveNote(save, note);
      console.log(`Saved it to ${save}: give it as --since next time.`);
    }
    console.log(
      result.ok
        ? "Checkpoint verified."
        : `Checkpoint NOT verified${save === undefined ? "" : ` (not saved to ${save})`}.`,
    );
    return result.ok ? 0 : 1;
  } finally {
    provider.destroy();
  }
}
