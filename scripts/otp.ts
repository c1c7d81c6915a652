/**
 * Prints the current two-factor code, like an authenticator app would:
 *   npm run otp -- admin@prizeledger.test   (a demo account: the published demo secret)
 *   npm run otp -- <base32 secret>          (any secret, as shown on /account/security)
 */
import { DEMO_TOTP_SECRET, demoAccounts } from "../db/seed";
import { decodeBase32, TOTP_STEP_SECONDS, totpCode } from "../lib/auth/totp";

const USAGE = "usage: npm run otp -- <demo account email | base32 secret>";

const [arg] = process.argv.slice(2);
if (!arg) {
  console.error(USAGE);
  process.exit(1);
}

let secret: Buffer;
if (arg.includes("@")) {
  const account = demoAccounts.find((a) => a.email === arg.trim().toLowerCase());
  if (!account || account.role === "player") {
    console.error(`${arg} has no demo secret: only the demo admin and auditor do`);
    process.exit(1);
  }
  secret = decodeBase32(DEMO_TOTP_SECRET);
} else {
  try {
    secret = decodeBase32(arg);
  } catch {
    console.error(`not a base32 secret\n${USAGE}`);
    process.exit(1);
  }
}

const left = TOTP_STEP_SECONDS - (Math.floor(Date.now() / 1000) % TOTP_STEP_SECONDS);
console.log(totpCode(secret));
console.error(`(valid for ${left} more seconds, and the 30 seconds after; each code works once)`);
