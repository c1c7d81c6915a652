/**
 * Verifies a Prizeledger receipt against a pinned ledger:
 *   npm run verify -- receipt.json [--operator URL | --contract 0x… --chain-id N] [--rpc URL]
 * With no flags, inside an installation, it trusts that installation's ledger (LEDGER_* settings,
 * or the contract `npm start` deployed). The receipt's own chain and contract are never trusted.
 * Exits 0 only if every step passes, 1 if any fails, 2 on a usage error.
 * The command line itself is the standalone verifier's (packages/verify/src/cli.ts).
 */
import { ConfigError, parseEnv } from "../lib/config/env";
import { LedgerIdentityError } from "../lib/ledger/identity";
import { runCli } from "../packages/verify/src/cli";
import { installationOf } from "./lib/pin-ledger";

/** This installation, read only if no flag names the ledger; a bad environment is a usage error. */
function installation() {
  try {
    return installationOf(parseEnv());
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new LedgerIdentityError("ledger_identity_unconfigured", error.message);
    }
    throw error;
  }
}

process.exit(await runCli(process.argv.slice(2), { command: "npm run verify --", installation }));
