import { expect, test } from "@playwright/test";
import type { QueueProof, QueueView } from "../lib/queue/model";
import { replayQueueProof } from "../lib/queue/shuffle";
import { ADMIN_EMAIL, apiToken, createPlayer, otherClientIp, serverTime } from "./helpers";

/**
 * A waiting room through the public API on the real stack: the admin starts the drop now, the
 * worker shuffles the pre-queue at that start and admits at the rate; a player who left is not
 * drawn; a claim needs the caller's own admission token; the
 * published proof replays. Its own drop and players, so no other spec is affected.
 */
test.describe("waiting room, by API", () => {
  test("join, be admitted by the worker, claim with the admission, replay the order", async ({
    request,
  }) => {
    const admin = { authorization: `Bearer ${await apiToken(request, ADMIN_EMAIL)}` };
    const players = [
      await createPlayer(request, "queue-a"),
      await createPlayer(request, "queue-b"),
      await createPlayer(request, "queue-leaver"),
    ];
    const tokens = await Promise.all(
      players.map(async (p) => ({
        authorization: `Bearer ${await apiToken(request, p.email, p.password)}`,
        "x-forwarded-for": otherClientIp(),
      })),
    );
    const prize = await request.post("/api/v1/admin/prizes", {
      headers: admin,
      data: { name: "Queue coin", kind: "crypto", value: 1, quantity: 2 },
    });
    expect(prize.status(), await prize.text()).toBe(201);
    // Starts in 10 minutes: the pre-queue (15 minutes ahead) is open now; the admin starts it.
    const start = (await serverTime(request)) + 600_000;
    const created = await request.post("/api/v1/admin/drops", {
      headers: admin,
      data: {
        title: "Queue API drop",
        prizeId: ((await prize.json()) as { id: string }).id,
        units: 2,
        startsAt: new Date(start).toISOString(),
        endsAt: new Date(start + 3_600_000).toISOString(),
        waitingRoom: { enabled: true, admissionRatePerMinute: 600 },
      },
    });
    expect(created.status(), await created.text()).toBe(201);
    const dropId = ((await created.json()) as { id: string }).id;
    const listed = (await (await request.get("/api/v1/drops")).json()) as {
      drops: Array<{ id: string; waitingRoom: boolean }>;
    };
    expect(listed.drops.find((d) => d.id === dropId)?.waitingRoom).toBe(true);
    const queue = `/api/v1/drops/${dropId}/queue`;
    const viewOf = async (headers: Record<string, string>) => {
      const res = await request.get(queue, { headers });
      expect(res.status(), await res.text()).toBe(200);
      return (await res.json()) as QueueView;
    };

    const leaver = tokens.pop() as Record<string, string>;
    await test.step("a player joins and leaves: the entry goes, and leaving again changes nothing", async () => {
      expect((await request.post(queue, { headers: leaver })).status()).toBe(200);
      for (let i = 0; i < 2; i++) {
        const left = await request.delete(queue, { headers: leaver });
        expect(left.status(), await left.text()).toBe(200);
        expect(((await left.json()) as QueueView).state).toBe("not_joined");
      }
    });

    await test.step("after leaving three times, joining that room again is refused in words", async () => {
      for (let i = 0; i < 2; i++) {
        expect((await request.post(queue, { headers: leaver })).status()).toBe(200);
        expect((await request.delete(queue, { headers: leaver })).status()).toBe(200);
      }
      const refused = await request.post(queue, { headers: leaver });
      expect(refused.status(), await refused.text()).toBe(409);
      expect(await refused.json()).toMatchObject({
        error: { code: "queue_left_too_often", message: /left this waiting room 3 times/ },
      });
    });

    await test.step("both join; joining again keeps the place; the seed stays secret", async () => {
      for (const headers of tokens) {
        const joined = await request.post(queue, { headers });
        expect(joined.status(), await joined.text()).toBe(200);
        const view = (await joined.json()) as QueueView;
        expect(view.state).toBe("pre_queue");
        expect(view.seed).toBeNull();
        expect(view.seedHash).toMatch(/^[0-9a-f]{64}$/);
        const again = (await (await request.post(queue, { headers })).json()) as QueueView;
        expect(again.pseudonym).toBe(view.pseudonym);
      }
      const proof = (await (await request.get(`${queue}/proof`)).json()) as QueueProof;
      expect(proof.entries).toHaveLength(2);
      expect(JSON.stringify(proof)).not.toContain(players[0]?.id);
    });

    await test.step("the admin starts the drop now; the worker admits both", async () => {
      const started = await request.patch(`/api/v1/admin/drops/${dropId}`, {
        headers: admin,
        data: { start: true },
      });
      expect(started.status(), await started.text()).toBe(200);
      const again = await request.patch(`/api/v1/admin/drops/${dropId}`, {
        headers: admin,
        data: { start: true },
      });
      expect(again.status()).toBe(409);
      expect(await again.json()).toMatchObject({ error: { code: "drop_started" } });
      for (const headers of tokens) {
        await expect
          .poll(async () => (await viewOf(headers)).state, { timeout: 90_000 })
          .toBe("admitted");
      }
    });

    await test.step("a claim needs the caller's own admission", async () => {
      const [mine, theirs] = await Promise.all(tokens.map(viewOf));
      const claim = (admission?: string) =>
        request.post(`/api/v1/drops/${dropId}/claims`, {
          headers: { ...tokens[0], ...(admission ? { "admission-token": admission } : {}) },
        });
      const none = await claim();
      expect(none.status()).toBe(403);
      expect(await none.json()).toMatchObject({
        error: { code: "admission_required", message: expect.stringContaining("waiting room") },
      });
      expect((await claim(theirs?.admission?.token)).status()).toBe(403);
      const claimed = await claim(mine?.admission?.token);
      expect(claimed.status(), await claimed.text()).toBe(201);
    });

    await test.step("the revealed seed replays the published order", async () => {
      const proof = (await (await request.get(`${queue}/proof`)).json()) as QueueProof;
      expect(proof.seed).toMatch(/^[0-9a-f]{64}$/);
      expect(proof.order).toHaveLength(2);
      expect(replayQueueProof(proof)).toMatchObject({ ok: true });
    });
  });
});
