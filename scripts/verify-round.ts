/**
 * Replays a game round from its revealed server seed and checks its ledger leaves:
 *   npm run rounds:verify -- <roundId>                         (the installation's database)
 *   npm run rounds:verify -- <round.json>                      (GET /api/v1/rounds/{id}, saved)
 *   npm run rounds:verify -- <round.json> --url <site>         (seed and its leaf from the site)
 *   npm run rounds:verify -- <roundId> --url <site> --token <API token of the round's player>
 * The installation's database is DATABASE_URL, else npm start's embedded one. Exits 0 only if the
 * seed matches its commitment, the replay gives the recorded outcome and payout, the round's
 * leaf carries the record's digest and the seed's commitment leaf came before the round.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createDb } from "../db/client";
import type { RoundEvidence } from "../lib/games/verify-round";
import { verifyRound } from "../lib/games/verify-round";
import type { RoundDetail } from "../lib/rounds/round-views";
import { getAnyRound } from "../lib/rounds/round-views";
import { openInstallationDatabase } from "./lib/installation";

const USAGE =
  "usage: npm run rounds:verify -- <roundId | round.json> [--url <site> [--token <token>]]";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function fetchJson<T>(url: URL, token?: string): Promise<T> {
  const res = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  }).catch((error: Error) => fail(`cannot reach ${url}: ${error.message}`));
  if (!res.ok) fail(`${url} answered HTTP ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

async function loadRound(
  target: string,
  url: string | undefined,
  token: string | undefined,
): Promise<{ source: string; round: RoundDetail }> {
  if (!UUID.test(target)) {
    try {
      const json = JSON.parse(await readFile(target, "utf8")) as { round?: RoundDetail };
      return { source: target, round: json.round ?? (json as RoundDetail) };
    } catch (error) {
      fail(`${target} is neither a round id nor a readable JSON file: ${(error as Error).message}`);
    }
  }
  if (url) {
    if (!token)
      fail("--url with a round id needs --token (or PRIZELEDGER_TOKEN): rounds are private");
    const source = new URL(`/api/v1/rounds/${target}`, url);
    return {
      source: source.href,
      round: (await fetchJson<{ round: RoundDetail }>(source, token)).round,
    };
  }
  const database = await openInstallationDatabase().catch((error: Error) => fail(error.message));
  const { db, sql } = createDb(database.url, 1);
  const round = await getAnyRound(db, target).finally(async () => {
    await sql.end();
    await database.close();
  });
  if (!round) fail(`no round ${target} in the installation's database`);
  return { source: "the installation's database", round };
}

let values: { url?: string; token?: string };
let positionals: string[];
try {
  ({ values, positionals } = parseArgs({
    allowPositionals: true,
    options: { url: { type: "string" }, token: { type: "string" } },
  }));
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`);
}
const [target] = positionals;
if (!target || positionals.length > 1) fail(USAGE);
const token = values.token ?? process.env.PRIZELEDGER_TOKEN;
const { source, round } = await loadRound(target, values.url, token);
if (!round?.record || !round.leaf || !round.seedLeaf)
  fail(`${source} does not hold a round's record and leaves`);

const evidence: RoundEvidence = {
  record: round.record,
  serverSeed: round.serverSeed ?? "",
  roundLeaf: round.leaf,
  seedLeaf: round.seedLeaf,
};
if (values.url) {
  // The seed and its commitment as the site shows them to anyone, not as the file says.
  const seed = await fetchJson<{ serverSeed: string | null; leaf: RoundEvidence["roundLeaf"] }>(
    new URL(`/api/v1/fairness/seeds/${round.seedId}`, values.url),
  );
  evidence.serverSeed = seed.serverSeed ?? "";
  evidence.seedLeaf = seed.leaf;
}
console.log(
  `Round ${round.record.id} (${round.record.game}, nonce ${round.record.nonce}) from ${source}`,
);
if (!evidence.serverSeed) {
  fail(
    "Its server seed is not revealed yet: rotate the seed (POST /api/v1/fairness/rotate), then verify.",
  );
}
const result = verifyRound(evidence);
for (const check of result.checks)
  console.log(`${check.ok ? "✓" : "✗"} ${check.id}: ${check.detail}`);
console.log(result.ok ? "Round verified." : "Round NOT verified.");
process.exit(result.ok ? 0 : 1);
