/**
 * Account tasks for the operator's console:
 *   npm run accounts -- create-admin EMAIL
 * The password is read from stdin: typed twice without echo at a terminal, or the first line when
 * piped (`printf '%s\n' "$PASSWORD" | npm run accounts -- create-admin ops@example.com`). The new
 * admin sets up two-factor at the first sign-in. Works on the installation's database (DATABASE_URL,
 * else the embedded one of npm start), migrating it first like `npm run web` does.
 */
import { ZodError } from "zod";
import { createDb } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { createAdmin } from "@/lib/admin/create-admin";
import { appUrl, ConfigError, parseEnv } from "@/lib/config/env";
import { isAppError } from "@/lib/errors/app-error";
import { NoInstallationError, openInstallationDatabase } from "./lib/installation";

const USAGE = "usage: npm run accounts -- create-admin EMAIL   (the password is read from stdin)";

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

/** Reads a line from the terminal without showing it. */
function readHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  // Raw before the prompt shows: what is typed once it shows must never echo.
  input.setRawMode(true);
  process.stderr.write(prompt);
  input.setEncoding("utf8");
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = "";
    const finish = () => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write("\n");
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n") {
          finish();
          resolve(typed);
          return;
        }
        if (char === "\u0003" || char === "\u0004") {
          finish();
          reject(new Error("cancelled"));
          return;
        }
        typed =
          char === "\u007f" || char === "\b" ? [...typed].slice(0, -1).join("") : typed + char;
      }
    };
    input.on("data", onData);
  });
}

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) {
    const password = await readHidden("Password for the new admin: ");
    if ((await readHidden("The same password again: ")) !== password) {
      fail("the two passwords differ: nothing was created");
    }
    return password;
  }
  let piped = "";
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) piped += chunk;
  // Only the line break ends the password: spaces at either end are part of it, as in the form.
  const [line = ""] = piped.split(/\r?\n/);
  if (!line) fail("no password on stdin: pipe it in, or run the command at a terminal");
  return line;
}

async function main(): Promise<void> {
  const [command, email, ...rest] = process.argv.slice(2);
  if (command !== "create-admin" || !email || rest.length > 0) fail(USAGE, 2);
  const env = parseEnv();
  const password = await readPassword();
  const database = await openInstallationDatabase(env);
  const { db, sql } = createDb(database.url, 1);
  try {
    // The first admin may come before the first `npm run web`, which would have migrated.
    await migrateDatabase(database.url);
    const admin = await createAdmin(db, { email, password });
    console.log(
      `created admin ${admin.email} (${admin.id}).\n` +
        `Sign in at ${appUrl(env)}/signin: the first sign-in sets up two-factor authentication.`,
    );
  } finally {
    await sql.end();
    await database.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof ZodError) fail(error.issues.map((issue) => issue.message).join("\n"));
  if (isAppError(error) || error instanceof NoInstallationError || error instanceof ConfigError) {
    fail(error.message);
  }
  fail(`accounts failed: ${error instanceof Error ? error.message : String(error)}`);
});
