/**
 * Replays a waiting room's order from its public proof:
 *   npm run queue:replay -- --drop <dropId>   (from the installation's database)
 *   npm run queue:replay -- --url http://localhost:3000 --drop <dropId>
 *   npm run queue:replay -- --file proof.json
 * Checks SHA-256(seed) against the commitment published when the pre-queue opened, shuffles the
 * pre-queue again, appends the later arrivals, and exits 0 only if that is the published order.
 */
import { z } from "zod";
import { queueProofResponse } from "../lib/api/queue";
import { getQueueProof } from "../lib/queue/queue";
import { replayQueueProof } from "../lib/queue/shuffle";
import { fail, loadPublishedDocument } from "./lib/published-document";

const { source, document } = await loadPublishedDocument<unknown>({
  command: "queue:replay",
  name: "proof",
  path: (dropId) => `/api/v1/drops/${dropId}/queue/proof`,
  read: (db, dropId) => getQueueProof(db, dropId).catch(() => undefined),
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
for (const check of result.checks) {
  console.log(`${check.ok ? "✓" : "✗"} ${check.label}: ${check.detail}`);
}
console.log(result.ok ? "Order verified." : "Order NOT verified.");
process.exit(result.ok ? 0 : 1);
