/**
 * One claim through the API's handler, on the real database, moves the web metrics: the claim
 * by outcome, its duration, its batch, and the request under its route template.
 */
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as claim } from "@/app/api/v1/drops/[dropId]/claims/route";
import { type Callers, createCallers, serveRoutesFrom } from "@/test/api-routes";
import { connectTestDb, createTestDrop } from "@/test/db";
import { movedBetween, parseSamples } from "@/test/metrics-samples";
import { metricsRegistry } from "./registry";

const db = connectTestDb();
let callers: Callers;

beforeAll(async () => {
  serveRoutesFrom(db);
  callers = await createCallers(db);
});

const scrape = async () => parseSamples(await metricsRegistry().metrics());

const ROUTE = 'route="/api/v1/drops/[dropId]/claims"';

async function postClaim(dropId: string): Promise<number> {
  const response = await claim(
    new NextRequest(new URL(`/api/v1/drops/${dropId}/claims`, "http://localhost"), {
      method: "POST",
      body: "{}",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${callers.player.token}`,
      },
    }),
    { params: Promise.resolve({ dropId }) },
  );
  return response.status;
}

describe("claim metrics", () => {
  it("count a granted claim and a refused one, their batches and their requests", async () => {
    const { dropId } = await createTestDrop(db, { units: 5 });
    const before = await scrape();
    expect(await postClaim(dropId)).toBe(201);
    expect(await postClaim(dropId)).toBe(409);
    // The request's sample is recorded once its answer is known, just after it is returned.
    await new Promise((resolve) => setImmediate(resolve));
    const after = await scrape();
    const moved = movedBetween(before, after);

    expect(moved('prizeledger_claims_total{outcome="granted"}')).toBe(1);
    expect(moved('prizeledger_claims_total{outcome="limit_reached"}')).toBe(1);
    expect(moved('prizeledger_claim_duration_seconds_count{result="granted"}')).toBe(1);
    expect(moved('prizeledger_claim_duration_seconds_count{result="refused"}')).toBe(1);
    expect(moved("prizeledger_claim_batch_size_count")).toBe(2);
    expect(moved("prizeledger_claim_batch_size_sum")).toBe(2);
    expect(
      moved(`prizeledger_http_request_duration_seconds_count{method="POST",${ROUTE},status="201"}`),
    ).toBe(1);
    expect(
      moved(`prizeledger_http_request_duration_seconds_count{method="POST",${ROUTE},status="409"}`),
    ).toBe(1);
    // The drop's id is in no label.
    expect([...after.keys()].filter((sample) => sample.includes(dropId))).toEqual([]);
  });
});
