import { beforeAll, describe, expect, it } from "vitest";
import { claimDrop } from "@/lib/claims/claim-drop";
import {
  type ApiRoute,
  type Callers,
  callRoute,
  createCallers,
  discoverApiRoutes,
  serveRoutesFrom,
} from "@/test/api-routes";
import { connectTestDb, createTestDrop } from "@/test/db";
import { reverseRedemption } from "./reverse-redemption";

const db = connectTestDb();
let route: ApiRoute;
let callers: Callers;
let redemptionId: string;

const receipt = (role: keyof Callers, id = redemptionId, query = "") =>
  callRoute(route, "GET", { params: { id }, query, token: callers[role].token });

beforeAll(async () => {
  serveRoutesFrom(db);
  const found = (await discoverApiRoutes()).find(
    (r) => r.pattern === "/api/v1/redemptions/[id]/receipt",
  );
  if (!found) throw new Error("no receipt route");
  route = found;
  callers = await createCallers(db);
  const { dropId } = await createTestDrop(db, { units: 2 });
  redemptionId = (await claimDrop(db, { dropId, playerId: callers.player.id })).redemption.id;
});

describe("GET /api/v1/redemptions/{id}/receipt by role", () => {
  it("gives the player their own receipt and an auditor the very same document", async () => {
    const own = await receipt("player");
    expect(own.status).toBe(200);
    const audited = await receipt("auditor");
    expect(audited.status).toBe(200);
    const { leaf } = JSON.parse(audited.body) as { leaf: { playerId: string; data: string } };
    expect(leaf.playerId).toBe(callers.player.id);
    expect(JSON.parse(audited.body).leaf).toEqual(JSON.parse(own.body).leaf);
  });

  it("tells another player it does not exist, and refuses admins as before", async () => {
    expect((await receipt("other")).status).toBe(404);
    const admin = await receipt("admin");
    expect(admin.status).toBe(403);
    expect(JSON.parse(admin.body).error.code).toBe("forbidden");
  });

  it("answers an auditor 404 in words for a missing, malformed or unreversed redemption", async () => {
    const missing = await receipt("auditor", "00000000-0000-4000-8000-000000000000");
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error.message).toBe("No such redemption");
    expect((await receipt("auditor", "not-a-uuid")).status).toBe(404);
    const noReversal = await receipt("auditor", redemptionId, "?kind=reversal");
    expect(JSON.parse(noReversal.body).error.message).toBe("No reversal of such a redemption");
    const badKind = await receipt("auditor", redemptionId, "?kind=everything");
    expect(badKind.status).toBe(400);
  });

  it("lets an auditor read a reversal's receipt, which an admin made", async () => {
    await reverseRedemption(db, { redemptionId, adminId: callers.admin.id, reason: "audit test" });
    const reversal = await receipt("auditor", redemptionId, "?kind=reversal");
    expect(reversal.status).toBe(200);
    expect(JSON.parse(reversal.body).leaf.playerId).toBe(callers.player.id);
  });
});
