/**
 * Replays a lottery draw from its public transcript:
 *   npm run lottery:replay -- --drop <dropId>   (from the installation's database)
 *   npm run lottery:replay -- --url http://localhost:3000 --drop <dropId>
 *   npm run lottery:replay -- --file transcript.json
 * The installation's database is DATABASE_URL, else npm start's embedded one; the transcript read
 * from it is the one the site publishes.
 * Checks SHA-256(seed) against the published commitment, recomputes the ranking and exits 0 only
 * if the published winners are the ones the ranking gives.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createDb } from "../db/client";
import { type LotteryTranscript, replayTranscript } from "../lib/lottery/draw";
import { lotteryTranscript } from "../lib/lottery/lottery";
import { openInstallationDatabase } from "./lib/installation";

const USAGE =
  "usage: npm run lottery:replay -- [--url <site>] --drop <dropId>\n" +
  "       npm run lottery:replay -- --file <transcript.json>";

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function loadTranscript(): Promise<{ source: string; transcript: LotteryTranscript }> {
  let values: { url?: string; drop?: string; file?: string };
  try {
    ({ values } = parseArgs({
      options: { url: { type: "string" }, drop: { type: "string" }, file: { type: "string" } },
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.file) {
    try {
      return { source: values.file, transcript: JSON.parse(await readFile(values.file, "utf8")) };
    } catch (error) {
      fail(`${values.file} cannot be read as JSON: ${(error as Error).message}`);
    }
  }
  if (!values.drop) fail(USAGE);
  if (!values.url) return installationTranscript(values.drop);
  const source = new URL(`/api/v1/drops/${encodeURIComponent(values.drop)}/lottery`, values.url);
  const res = await fetch(source).catch((error: Error) =>
    fail(`cannot reach ${source}: ${error.message}`),
  );
  if (!res.ok) fail(`${source} answered HTTP ${res.status}: ${await res.text()}`);
  return { source: source.href, transcript: (await res.json()) as LotteryTranscript };
}

async function installationTranscript(
  dropId: string,
): Promise<{ source: string; transcript: LotteryTranscript }> {
  const database = await openInstallationDatabase().catch((error: Error) => fail(error.message));
  const { db, sql } = createDb(database.url, 1);
  const transcript = await lotteryTranscript(db, dropId).finally(async () => {
    await sql.end();
    await database.close();
  });
  if (!transcript) fail(`no lottery drop ${dropId} in the installation's database`);
  return { source: "the installation's database", transcript };
}

const { source, transcript } = await loadTranscript();
console.log(`Replaying ${transcript.algorithm} for drop ${transcript.dropId} from ${source}`);
console.log(`${transcript.entries.length} entries, ${transcript.units} unit(s)`);
const result = replayTranscript(transcript);
for (const check of result.checks) {
  console.log(`${check.ok ? "✓" : "✗"} ${check.label}: ${check.detail}`);
}
if (result.ranking.length > 0) {
  console.log("Winners by the replay:");
  const skipped = new Set((transcript.skipped ?? []).map((s) => s.entrant));
  const expected = result.ranking.filter((e) => !skipped.has(e)).slice(0, transcript.units);
  for (const [i, entrant] of expected.entries()) console.log(`  ${i + 1}. ${entrant}`);
}
console.log(result.ok ? "Draw verified." : "Draw NOT verified.");
process.exit(result.ok ? 0 : 1);
