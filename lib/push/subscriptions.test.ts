import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { connectTestDb, createPlayers } from "@/test/db";
import { makeBrowserKeys } from "@/test/push-service";
import { MAX_PUSH_SUBSCRIPTIONS, pushSubscriptionSchema } from "./model";
import { getPushState, removePushSubscription, savePushSubscription } from "./subscriptions";

const db = connectTestDb(4);
const publicKey =
  "BHwtqTO-Ncfc9LPn-VBHs9fCR35Z-4ubV2fCILZ2VgjBHx5vTwgZz2zRlXuC5b_ePoF00dCmVW9yraCQy-AmLfc";
const strict = { publicKey, allowInsecure: false };

const browser = (endpoint = `https://push.example/send/${randomBytes(6).toString("hex")}`) => {
  const { p256dh, auth } = makeBrowserKeys();
  return { endpoint, keys: { p256dh, auth } };
};

describe("push subscriptions", () => {
  it("refuses keys of the wrong length or alphabet, with the field named", () => {
    const good = browser();
    for (const keys of [
      { p256dh: good.keys.p256dh.slice(1), auth: good.keys.auth },
      { p256dh: good.keys.p256dh, auth: `${good.keys.auth}AA` },
      { p256dh: `${good.keys.p256dh.slice(1)}+`, auth: good.keys.auth },
      { p256dh: good.keys.p256dh },
    ]) {
      expect(pushSubscriptionSchema.safeParse({ ...good, keys }).success).toBe(false);
    }
    expect(pushSubscriptionSchema.safeParse({ endpoint: good.endpoint }).success).toBe(false);
    expect(pushSubscriptionSchema.safeParse(good).success).toBe(true);
  });

  it("refuses endpoints the worker must not call (SSRF), unless the server allows them", async () => {
    const [playerId = ""] = await createPlayers(db, 1);
    for (const endpoint of [
      "http://push.example/send/1",
      "https://127.0.0.1/push/1",
      "https://localhost/push/1",
      "https://[::1]/push/1",
      "https://169.254.169.254/latest",
      "https://10.0.0.7/push",
      "https://user:pw@push.example/send/1",
      "javascript:alert(1)",
      "not a url",
    ]) {
      await expect(
        savePushSubscription(db, playerId, browser(endpoint), strict),
      ).rejects.toMatchObject({ code: "invalid_input", details: { field: "endpoint" } });
    }
    const insecure = { publicKey, allowInsecure: true };
    // Allowed, http still only on loopback.
    await expect(
      savePushSubscription(db, playerId, browser("http://10.0.0.7/push/1"), insecure),
    ).rejects.toMatchObject({ code: "invalid_input" });
    await savePushSubscription(db, playerId, browser("http://127.0.0.1:9/push/1"), insecure);
    expect((await getPushState(db, playerId, strict)).subscriptions).toBe(1);
  });

  it("refuses a key that is no point of P-256: nothing could be encrypted to it", async () => {
    const [playerId = ""] = await createPlayers(db, 1);
    const offCurve = { ...browser(), keys: { p256dh: `B${"A".repeat(86)}`, auth: "A".repeat(22) } };
    expect(pushSubscriptionSchema.safeParse(offCurve).success).toBe(true);
    await expect(savePushSubscription(db, playerId, offCurve, strict)).rejects.toMatchObject({
      code: "invalid_input",
      details: { field: "keys" },
    });
  });

  it("is unavailable when push is off on the server", async () => {
    const [playerId = ""] = await createPlayers(db, 1);
    await expect(
      savePushSubscription(db, playerId, browser(), { publicKey: undefined, allowInsecure: false }),
    ).rejects.toMatchObject({ code: "unavailable" });
    expect(await getPushState(db, playerId, { publicKey: undefined })).toEqual({
      publicKey: null,
      subscriptions: 0,
    });
  });

  it("keeps at most ten per player, dropping the longest unused; subscribing again is one", async () => {
    const [playerId = ""] = await createPlayers(db, 1);
    const first = browser();
    await savePushSubscription(db, playerId, first, strict);
    await savePushSubscription(db, playerId, first, strict);
    expect((await getPushState(db, playerId, strict)).subscriptions).toBe(1);
    for (let i = 0; i < MAX_PUSH_SUBSCRIPTIONS; i++) {
      await savePushSubscription(db, playerId, browser(), strict);
    }
    expect((await getPushState(db, playerId, strict)).subscriptions).toBe(MAX_PUSH_SUBSCRIPTIONS);
    await expect(
      removePushSubscription(db, playerId, first.endpoint, strict),
    ).rejects.toMatchObject({ code: "not_found" });
  });

  it("keeps the browser in hand when it moves from another account to a full one", async () => {
    const [former = "", player = ""] = await createPlayers(db, 2);
    // The browser turned push on for another account first, before this player's ten.
    const shared = browser();
    await savePushSubscription(db, former, shared, strict);
    for (let i = 0; i < MAX_PUSH_SUBSCRIPTIONS; i++) {
      await savePushSubscription(db, player, browser(), strict);
    }
    await savePushSubscription(db, player, browser(shared.endpoint), strict);
    expect((await getPushState(db, former, strict)).subscriptions).toBe(0);
    expect(await removePushSubscription(db, player, shared.endpoint, strict)).toEqual({
      publicKey,
      subscriptions: MAX_PUSH_SUBSCRIPTIONS - 1,
    });
  });

  it("a player removes only their own subscription", async () => {
    const [owner = "", stranger = ""] = await createPlayers(db, 2);
    const mine = browser();
    await savePushSubscription(db, owner, mine, strict);
    await expect(removePushSubscription(db, stranger, mine.endpoint, strict)).rejects.toMatchObject(
      { code: "not_found" },
    );
    expect(await removePushSubscription(db, owner, mine.endpoint, strict)).toEqual({
      publicKey,
      subscriptions: 0,
    });
  });
});
