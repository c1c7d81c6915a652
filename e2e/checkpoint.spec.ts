import { expect, test } from "@playwright/test";
import { parseCheckpoint } from "../lib/tlog/checkpoint";
import { openNote, parseVerifierKey } from "../lib/tlog/note";
import { createCryptoDrops } from "./crypto-drops";
import { apiToken, awaitAnchoredReceipt, claimByApi, createPlayer, shot } from "./helpers";

type Identity = { log?: { origin: string; key: string }; witnesses?: Array<{ key: string }> };

test.describe("the log's signed checkpoint", () => {
  test("is served at /checkpoint, signed by the key the identity document publishes", async ({
    page,
    request,
  }) => {
    const [dropId] = await createCryptoDrops("checkpoint", 1);
    const player = await createPlayer(request, "checkpoint");
    const claim = await claimByApi(request, dropId ?? "", player);
    expect(claim.status(), await claim.text()).toBe(201);
    const { redemption } = (await claim.json()) as { redemption: { id: string } };
    const headers = {
      authorization: `Bearer ${await apiToken(request, player.email, player.password)}`,
    };
    // Signed as it is anchored: once the receipt says anchored, a checkpoint covering it is signed.
    await awaitAnchoredReceipt(request, redemption.id, headers);

    const identity = (await (
      await request.get("/.well-known/prizeledger.json")
    ).json()) as Identity;
    if (!identity.log) throw new Error("the identity document publishes no log key");
    expect(identity.witnesses).toHaveLength(2);

    const answer = await page.goto("/checkpoint");
    expect(answer?.status()).toBe(200);
    expect(answer?.headers()["content-type"]).toBe("text/plain; charset=utf-8");
    expect(answer?.headers()["access-control-allow-origin"]).toBe("*");
    const note = (await answer?.text()) ?? "";
    const opened = await openNote(note, [parseVerifierKey(identity.log.key)]);
    expect(opened.verified.map((v) => v.key.vkey)).toEqual([identity.log.key]);
    const checkpoint = parseCheckpoint(opened.text);
    expect(checkpoint.origin).toBe(identity.log.origin);
    const { checkpoints } = (await (await request.get("/api/v1/ledger/checkpoints")).json()) as {
      checkpoints: Array<{ treeSize: number; rootHash: string }>;
    };
    const anchored = checkpoints.find((c) => c.treeSize === checkpoint.size);
    expect(anchored?.rootHash).toBe(`0x${Buffer.from(checkpoint.rootHash).toString("hex")}`);
    await expect(page.locator("body")).toContainText(identity.log.origin);
    await shot(page, "checkpoint");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "checkpoint-phone");
  });
});
