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
import { type LotteryTranscript, replayTranscript } from "../lib/lottery/draw";
import { lotteryTranscript } from "../lib/lottery/lottery";
import { loadPublishedDocument } from "./lib/published-document";

const { source, document: transcript } = await loadPublishedDocument<LotteryTranscript>({
  command: "lottery:replay",
  name: "transcript",
  path: (dropId) => `/api/v1/drops/${dropId}/lottery`,
  read: async (db, dropId) => (await lotteryTranscript(db, dropId)) ?? undefined,
  missing: "no lottery drop",
});
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
