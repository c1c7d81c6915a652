/**
 * Prints the current two-factor code, like an authenticator app would:
 *   npm run otp -- admin@prizeledger.test   (an account of the installation that has two-factor on)
 *   npm run otp -- <base32 secret>          (any secret, as shown on /account/security)
 * An account's secret is read from the installation's database (DATABASE_URL, else npm start's
 * embedded one) and decrypted with its code keys (CODE_ENCRYPTION_KEYS, else the data directory's).
 */
import { createDb } from "../db/client";
import { decodeBase32, TOTP_STEP_SECONDS, totpCode } from "../lib/auth/totp";
import { enabledTotpSecret } from "../lib/auth/two-factor";
import { openInstallationDatabase } from "./lib/installation";

const USAGE = "usage: npm run otp -- <account email | base32 secret>";

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function accountSecret(email: string): Promise<string> {
  const database = await openInstallationDatabase();
  const { db, sql } = createDb(database.url, 1);
  const secret = await enabledTotpSecret(db, email).finally(async () => {
    await sql.end();
    await database.close();
  });
  if (!secret) fail(`${email}: no such account, or two-factor is not on for it`);
  return secret;
}

function secretArgument(text: string): Buffer {
  try {
    return decodeBase32(text);
  } catch {
    fail(`not a base32 secret\n${USAGE}`);
  }
}

async function main(): Promise<void> {
  const [arg] = process.argv.slice(2);
  if (!arg) fail(USAGE);
  const secret = arg.includes("@") ? decodeBase32(await accountSecret(arg)) : secretArgument(arg);
  const left = TOTP_STEP_SECONDS - (Math.floor(Date.now() / 1000) % TOTP_STEP_SECONDS);
  console.log(totpCode(secret));
  console.error(`(valid for ${left} more seconds, and the 30 seconds after; each code works once)`);
}

main().catch((error: Error) => fail(`otp failed: ${error.message}`));
