import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { claimDrop } from "@/lib/claims/claim-drop";
import { decodeLeaf } from "@/lib/ledger/leaf";
import { confirmShipping } from "@/lib/redemptions/confirm-shipping";
import { getPlayerRedemption } from "@/lib/redemptions/redemptions";
import { reverseRedemption } from "@/lib/redemptions/reverse-redemption";
import { connectTestDb, createPlayers, createTestDrop, TEST_SHIPPING_ADDRESS } from "@/test/db";
import { advanceShipment } from "./shipment";

const db = connectTestDb();
const address = TEST_SHIPPING_ADDRESS;

async function parcel() {
  const { dropId } = await createTestDrop(db, { units: 1, kind: "physical" });
  const [playerId = "", adminId = ""] = await createPlayers(db, 2);
  const { redemption } = await claimDrop(db, { dropId, playerId });
  return { playerId, adminId, redemptionId: redemption.id };
}

describe("a parcel's steps", () => {
  it("go packed, shipped, delivered, each once, and the player sees each", async () => {
    const p = await parcel();
    const step = (s: unknown) =>
      advanceShipment(db, { redemptionId: p.redemptionId, adminId: p.adminId, step: s });
    // No address yet: nothing to pack.
    await expect(step({ step: "packed" })).rejects.toMatchObject({
      code: "out_of_order",
      message: expect.stringMatching(/not confirmed a shipping address/),
    });
    await confirmShipping(db, p.playerId, p.redemptionId, address);
    await expect(
      step({ step: "shipped", carrier: "DHL", trackingNumber: "JD0001" }),
    ).rejects.toMatchObject({ code: "out_of_order" });
    expect(await step({ step: "packed" })).toMatchObject({
      status: "submitted",
      shipment: { step: "packed", carrier: null },
    });
    await expect(step({ step: "packed" })).rejects.toMatchObject({ code: "out_of_order" });
    await step({ step: "shipped", carrier: " DHL ", trackingNumber: "JD 0001-42" });
    const shipped = await getPlayerRedemption(db, p.playerId, p.redemptionId);
    expect(shipped?.delivery).toMatchObject({
      status: "submitted",
      reference: "JD 0001-42",
      shipment: { step: "shipped", carrier: "DHL" },
    });
    expect(await step({ step: "delivered" })).toMatchObject({
      status: "delivered",
      reference: "JD 0001-42",
      shipment: null,
    });
    await expect(step({ step: "delivered" })).rejects.toMatchObject({ code: "out_of_order" });
    // The player still reads who carried it, beside the tracking number.
    const delivered = await getPlayerRedemption(db, p.playerId, p.redemptionId);
    expect(delivered?.delivery).toMatchObject({
      status: "delivered",
      reference: "JD 0001-42",
      shipment: { step: "shipped", carrier: "DHL" },
    });
    const leaves = await db.execute<{ leaf_data: Buffer }>(sql`
      select leaf_data from ledger_entries
      where redemption_id = ${p.redemptionId} and kind = 'delivery'`);
    expect(leaves.map((l) => decodeLeaf(new Uint8Array(l.leaf_data)))).toMatchObject([
      { outcome: "delivered", provider: "shipping" },
    ]);
    const audit = await db.execute<{ n: number }>(sql`
      select count(*)::int as n from audit_events
      where action = 'shipment_step' and subject = ${`redemption:${p.redemptionId}`}`);
    expect(audit[0]?.n).toBe(3);
  });

  it("sends no parcel of a redemption reversed after it was packed", async () => {
    const p = await parcel();
    await confirmShipping(db, p.playerId, p.redemptionId, address);
    const step = (s: unknown) =>
      advanceShipment(db, { redemptionId: p.redemptionId, adminId: p.adminId, step: s });
    await step({ step: "packed" });
    // The unit goes back to the drop for someone else: this parcel must stay home.
    await reverseRedemption(db, {
      redemptionId: p.redemptionId,
      adminId: p.adminId,
      reason: "Fraud confirmed by the review team",
    });
    await expect(
      step({ step: "shipped", carrier: "DHL", trackingNumber: "JD0001" }),
    ).rejects.toMatchObject({ code: "out_of_order", message: expect.stringMatching(/reversed/) });
    const [delivery] = await db.execute<{ status: string }>(sql`
      select status from deliveries where redemption_id = ${p.redemptionId}`);
    expect(delivery?.status).not.toBe("delivered");
    // Nor is it shown as packed, on its way, for ever: the parcel is cancelled with the unit back.
    expect(delivery?.status).toBe("cancelled");
    const view = await getPlayerRedemption(db, p.playerId, p.redemptionId);
    expect(view?.delivery).toMatchObject({ status: "cancelled", shipment: null });
  });

  it("refuses a bad step, a bad tracking number, and prizes that are not parcels", async () => {
    const p = await parcel();
    await confirmShipping(db, p.playerId, p.redemptionId, address);
    const step = (s: unknown, redemptionId = p.redemptionId) =>
      advanceShipment(db, { redemptionId, adminId: p.adminId, step: s });
    await expect(step({ step: "lost" })).rejects.toThrow(/packed, shipped or delivered/);
    await step({ step: "packed" });
    await expect(step({ step: "shipped", carrier: "DHL", trackingNumber: "<x>" })).rejects.toThrow(
      /4 to 40 letters/,
    );
    await expect(step({ step: "shipped", carrier: "", trackingNumber: "JD0001" })).rejects.toThrow(
      /Name the carrier/,
    );
    await expect(step({ step: "packed" }, "not-an-id")).rejects.toMatchObject({
      code: "not_found",
    });
    const { dropId } = await createTestDrop(db, { units: 1, kind: "crypto" });
    const [other = ""] = await createPlayers(db, 1);
    const { redemption } = await claimDrop(db, { dropId, playerId: other });
    await expect(step({ step: "packed" }, redemption.id)).rejects.toMatchObject({
      code: "bad_request",
    });
  });
});
