/**
 * Makes the transparency log's signing key for a production deployment:
 *   npm run log:key -- prizes.example.com
 * prints LOG_SIGNING_KEY (the workers' secret) and LOG_VERIFIER_KEY (what web instances publish),
 * a C2SP signed-note Ed25519 key pair named after the log's origin. Nothing is written: put the
 * signing key where the deployment keeps its other secrets. `npm start` keeps its own.
 */
import { NoteError } from "../lib/tlog/note";
import { generateSignerKey } from "../lib/tlog/sign";

const USAGE =
  "usage: npm run log:key -- <origin>   (the log's LOG_ORIGIN, e.g. prizes.example.com)";

function main(): number {
  const args = process.argv.slice(2);
  const [origin] = args;
  if (args.length !== 1 || origin === undefined || origin.startsWith("-")) {
    console.error(USAGE);
    return 2;
  }
  let pair: { skey: string; vkey: string };
  try {
    pair = generateSignerKey(origin, 0x01);
  } catch (error) {
    if (!(error instanceof NoteError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }
  console.log(`LOG_ORIGIN=${origin}`);
  console.log(`LOG_SIGNING_KEY=${pair.skey}`);
  console.log(`LOG_VERIFIER_KEY=${pair.vkey}`);
  console.error(
    "LOG_SIGNING_KEY is secret: workers only. Web instances get LOG_VERIFIER_KEY. The origin must never change for this log.",
  );
  return 0;
}

process.exitCode = main();
