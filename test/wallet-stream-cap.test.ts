/**
 * The wallet stream route holds at most MAX_STREAMS_PER_PLAYER streams per player: the real
 * route, feed and database, a player calling with an API token.
 */
import { randomBytes } from "node:crypto";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/v1/wallet/stream/route";
import { issueApiToken } from "@/lib/auth/api-tokens";
import { createAccount } from "@/lib/auth/create-account";
import { MAX_STREAMS_PER_PLAYER } from "@/lib/wallet/live";
import { serveRoutesFrom } from "./api-routes";
import { connectTestDb } from "./db";

const db = connectTestDb(4);

beforeAll(() => serveRoutesFrom(db));

async function playerToken(): Promise<string> {
  const email = `streams-${randomBytes(4).toString("hex")}@test.invalid`;
  const user = await createAccount(db, { email, password: "correct horse battery" }, "player");
  return (await issueApiToken(db, user.id)).token;
}

function openStream(token: string) {
  const request = new NextRequest("http://localhost/api/v1/wallet/stream", {
    headers: { authorization: `Bearer ${token}` },
  });
  return GET(request, { params: Promise.resolve({}) });
}

describe("the wallet stream", () => {
  it("refuses a player's stream beyond the cap with 429, and not another player's", async () => {
    const [player, other] = [await playerToken(), await playerToken()];
    const open = [];
    for (let i = 0; i < MAX_STREAMS_PER_PLAYER; i++) {
      const response = await openStream(player);
      expect(response.status).toBe(200);
      open.push(response);
    }
    const refused = await openStream(player);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: "rate_limited" } });
    const theirs = await openStream(other);
    expect(theirs.status).toBe(200);
    // A closed stream frees its place.
    await open.shift()?.body?.cancel();
    const again = await openStream(player);
    expect(again.status).toBe(200);
    for (const response of [...open, theirs, again]) await response.body?.cancel();
  });
});
