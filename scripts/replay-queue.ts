/**
 * Replays a waiting room's order from its public proof:
 *   npm run queue:replay -- --drop <dropId>   (from the installation's database)
 *   npm run queue:replay -- --url http://localhost:3000 --drop <dropId>
 *   npm run queue:replay -- --file proof.json
 * Checks SHA-256(seed) against the commitment published when the pre-queue opened, shuffles the
 * pre-queue again, appends the later arrivals, checks the published pre-queue, seed hash and
 * order against the draw's ledger entry, and, from a site or the database, that the public log
 * holds that entry (and a checkpoint it reports anchored covers it: the chain is not read, and
 * the output says how to check it there). Exits 0 only if every check holds.
 */
import { z } from "zod";
import type { Db } from "../db/client";
import { queueProofResponse } from "../lib/api/queue";
import { getPublicEntry } from "../lib/ledger/public-entry";
import { ANCHOR_CHECK_HINT, checkDrawLogged, type LoggedLeaf } from "../lib/queue/draw";
import type { QueueProof } from "../lib/queue/model";
import { getQueueProof } from "../lib/queue/queue";
import { replayQueueProof } from "../lib/queue/shuffle";
import { fail, loadPublishedDocument } from "./lib/published-document";

/** The draw's leaf as the installation's log holds it, read with the proof. */
let loggedInDatabase: LoggedLeaf | undefined;

async function readProof(db: Db, dropId: string): Promise<QueueProof | undefined> {
  const proof = await getQueueProof(db, dropId).catch(() => undefined);
  const index = proof?.draw?.leafIndex;
  if (index !== null && index !== undefined) loggedInDatabase = await getPublicEntry(db, index);
  return proof;
}

const { source, document } = await loadPublishedDocument<unknown>({
  command: "queue:replay",
  name: "proof",
  path: (dropId) => `/api/v1/drops/${dropId}/queue/proof`,
  read: readProof,
  missing: "no waiting room for drop",
});
const parsed = queueProofResponse.safeParse(document);
if (!parsed.success)
  fail(`${source} is not a waiting room's proof:\n${z.prettifyError(parsed.error)}`);
const proof = parsed.data;
console.log(`Replaying ${proof.algorithm} for drop ${proof.dropId} from ${source}`);
const preQueue = proof.entries.filter((e) => Date.parse(e.joinedAt) < Date.parse(proof.startsAt));
console.log(
  `${proof.entries.length} place(s): ${preQueue.length} in the pre-queue, ${proof.entries.length - preQueue.length} after the start`,
);
const result = replayQueueProof(proof);
const logged = await loggedLeaf(proof);
if (logged !== "unreachable") {
  const check = checkDrawLogged(proof, logged);
  result.checks.push(check);
  result.ok &&= check.ok;
} else {
  console.log("The public log was not consulted (a file): replay from --url to check the leaf.");
}
for (const check of result.checks) {
  console.log(`${check.ok ? "✓" : "✗"} ${check.label}: ${check.detail}`);
}
if (logged !== "unreachable") console.log(ANCHOR_CHECK_HINT);
console.log(result.ok ? "Order verified." : "Order NOT verified.");
process.exit(result.ok ? 0 : 1);

/** The draw's leaf from the site the proof came from, or the database; a file reaches neither. */
async function loggedLeaf(proof: QueueProof): Promise<LoggedLeaf | undefined | "unreachable"> {
  if (!/^https?:/.test(source)) {
    return source === "the installation's database" ? loggedInDatabase : "unreachable";
  }
  const index = proof.draw?.leafIndex;
  if (index === null || index === undefined) return undefined;
  const url = new URL(`/api/v1/ledger/entries/${index}`, source);
  const res = await fetch(url).catch((error: Error) =>
    fail(`cannot reach ${url}: ${error.message}`),
  );
  return res.ok ? ((await res.json()) as LoggedLeaf) : undefined;
}
