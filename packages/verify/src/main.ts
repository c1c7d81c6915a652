/** The standalone `prizeledger-verify`: no installation here, so the ledger is always pinned. */
import { runCli } from "./cli";

process.exit(await runCli(process.argv.slice(2), { command: "prizeledger-verify" }));
