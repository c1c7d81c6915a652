import { and, eq, inArray } from "drizzle-orm";
import { Wallet } from "ethers";
import { SiweMessage } from "siwe";
import { describe, expect, it } from "vitest";
import { auditEvents, tokenPayouts, users, walletNonces } from "@/db/schema";
import { claimDrop } from "@/lib/claims/claim-drop";
import { parseEnv } from "@/lib/config/env";
import { AppError } from "@/lib/errors/app-error";
import { connectTestDb, createPlayers, createTestDrop } from "@/test/db";
import {
  createLinkChallenge,
  getWalletLink,
  type LinkSite,
  linkSite,
  linkWallet,
  unlinkWallet,
} from "./link-wallet";
import { LINK_STATEMENT, linkWalletSchema } from "./model";
import { requestTokenPayout } from "./request-payout";

const db = connectTestDb();
const SITE: LinkSite = { domain: "prizes.example", uri: "https://prizes.example", chainId: 31337 };
const NOW = new Date("2026-12-06T00:00:00.000Z");
const later = (ms: number) => new Date(NOW.getTime() + ms);

async function signedLink(userId: string, wallet = Wallet.createRandom(), site = SITE, now = NOW) {
  const challenge = await createLinkChallenge(db, { userId }, wallet.address, site, now);
  return {
    wallet,
    challenge,
    message: challenge.message,
    signature: await wallet.signMessage(challenge.message),
  };
}

/** The refusal's code and reason, or "linked". */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "linked";
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const reason = error.details?.reason;
    return typeof reason === "string" ? `${error.code}:${reason}` : error.code;
  }
}

/** A message for the caller's nonce, changed by `change`, signed by `wallet`. */
async function tamperedLink(
  userId: string,
  change: (message: SiweMessage) => void,
  wallet = Wallet.createRandom(),
) {
  const { challenge } = await signedLink(userId, wallet);
  const message = new SiweMessage(challenge.message);
  change(message);
  const text = message.prepareMessage();
  return { message: text, signature: await wallet.signMessage(text) };
}

async function cryptoRedemptions(playerIds: string[]): Promise<string[]> {
  const { dropId } = await createTestDrop(db, { units: playerIds.length, kind: "crypto" });
  const ids: string[] = [];
  for (const playerId of playerIds) {
    const { redemption } = await claimDrop(db, { dropId, playerId });
    ids.push(redemption.id);
  }
  return ids;
}

describe("linking a wallet with Sign-In with Ethereum", () => {
  it("links the address that signed this site's message, once", async () => {
    const [playerId = ""] = await createPlayers(db, 1);
    const { wallet, challenge, message, signature } = await signedLink(playerId);
    expect(challenge.message).toContain(
      "prizes.example wants you to sign in with your Ethereum account:",
    );
    expect(challenge.message).toContain(LINK_STATEMENT);
    expect(challenge.message).toContain(`Nonce: ${challenge.nonce}`);
    expect(challenge.message).toContain("Chain ID: 31337");
    expect(challenge.expiresAt).toBe("2026-12-06T00:10:00.000Z");

    const link = await linkWallet(
      db,
      { userId: playerId },
      { message, signature },
      SITE,
      later(1000),
    );
    expect(link).toMatchObject({ address: wallet.address, chainId: 31337 });
    expect(await getWalletLink(db, playerId)).toEqual(link);
    // The nonce was spent with the link: the same signed message cannot be used again.
    expect(
      await outcome(
        linkWallet(db, { userId: playerId }, { message, signature }, SITE, later(2000)),
      ),
    ).toBe("wallet_signature_invalid:nonce");
    const events = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, playerId), eq(auditEvents.action, "wallet_link")));
    expect(events.map((e) => e.outcome)).toEqual(["ok"]);
    expect(events[0]?.data).toMatchObject({ before: null, after: { address: wallet.address } });
  });

  it("takes the message as a browser form sends it, with CRLF line ends", async () => {
    const [playerId = ""] = await createPlayers(db, 1);
    const { wallet, message, signature } = await signedLink(playerId);
    const posted = linkWalletSchema.parse({ message: message.replaceAll("\n", "\r\n"), signature });
    const link = await linkWallet(db, { userId: playerId }, posted, SITE, later(1000));
    expect(link.address).toBe(wallet.address);
  });

  it("lets one of two concurrent uses of a message through", async () => {
    const [playerId = ""] = await createPlayers(db, 1);
    const { message, signature } = await signedLink(playerId);
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        outcome(linkWallet(db, { userId: playerId }, { message, signature }, SITE, later(1000))),
      ),
    );
    expect(results.sort()).toEqual([
      "linked",
      "wallet_signature_invalid:nonce",
      "wallet_signature_invalid:nonce",
      "wallet_signature_invalid:nonce",
    ]);
  });

  it("refuses another site's, chain's or purpose's message, a late one and a forged signature", async () => {
    const [playerId = ""] = await createPlayers(db, 1);
    const caller = { userId: playerId };
    const refusal = async (input: { message: string; signature: string }, now = later(1000)) =>
      outcome(linkWallet(db, caller, input, SITE, now));

    expect(await refusal(await tamperedLink(playerId, (m) => (m.domain = "evil.example")))).toBe(
      "wallet_signature_invalid:domain",
    );
    expect(
      await refusal(await tamperedLink(playerId, (m) => (m.uri = "https://evil.example"))),
    ).toBe("wallet_signature_invalid:uri");
    expect(await refusal(await tamperedLink(playerId, (m) => (m.chainId = 1)))).toBe(
      "wallet_signature_invalid:chain",
    );
    expect(await refusal(await tamperedLink(playerId, (m) => (m.statement = "Sign in")))).toBe(
      "wallet_signature_invalid:statement",
    );
    const { message, signature } = await signedLink(playerId);
    expect(await refusal({ message, signature }, later(10 * 60_000))).toBe(
      "wallet_signature_invalid:expired",
    );
    // A message without an expiry would be good forever: refused as expired.
    expect(await refusal(await tamperedLink(playerId, (m) => (m.expirationTime = undefined)))).toBe(
      "wallet_signature_invalid:expired",
    );
    const other = Wallet.createRandom();
    expect(await refusal({ message, signature: await other.signMessage(message) })).toBe(
      "wallet_signature_invalid:signature",
    );
    expect(await refusal({ message: "link my wallet please", signature })).toBe(
      "wallet_signature_invalid:malformed",
    );
    // Each refusal above came before the nonce was spent, bar none: it is still there to use.
    expect(await refusal({ message, signature })).toBe("linked");
  });

  it("refuses a message whose nonce is another player's, or expired by the clock", async () => {
    const [a = "", b = ""] = await createPlayers(db, 2);
    const forA = await signedLink(a);
    expect(await outcome(linkWallet(db, { userId: b }, forA, SITE, later(1000)))).toBe(
      "wallet_signature_invalid:nonce",
    );
    // The nonce's own expiry, even for a message claiming a later one.
    const wallet = Wallet.createRandom();
    const { challenge } = await signedLink(a, wallet);
    const message = new SiweMessage(challenge.message);
    message.expirationTime = later(3_600_000).toISOString();
    const text = message.prepareMessage();
    const input = { message: text, signature: await wallet.signMessage(text) };
    expect(await outcome(linkWallet(db, { userId: a }, input, SITE, later(11 * 60_000)))).toBe(
      "wallet_signature_invalid:nonce",
    );
  });

  it("keeps at most five open nonces per player", async () => {
    const [playerId = ""] = await createPlayers(db, 1);
    const first = await signedLink(playerId);
    for (let i = 0; i < 5; i++)
      await signedLink(playerId, Wallet.createRandom(), SITE, later(i + 1));
    const open = await db.select().from(walletNonces).where(eq(walletNonces.userId, playerId));
    expect(open).toHaveLength(5);
    expect(await outcome(linkWallet(db, { userId: playerId }, first, SITE, later(1000)))).toBe(
      "wallet_signature_invalid:nonce",
    );
  });

  it("refuses an address linked to another account, and keeps the refusal and the signal", async () => {
    const [owner = "", other = ""] = await createPlayers(db, 2);
    const wallet = Wallet.createRandom();
    await linkWallet(db, { userId: owner }, await signedLink(owner, wallet), SITE, later(1000));
    const attempt = await signedLink(other, wallet);
    expect(await outcome(linkWallet(db, { userId: other }, attempt, SITE, later(1000)))).toBe(
      "wallet_linked_elsewhere",
    );
    expect(await getWalletLink(db, other)).toBeNull();
    const [refused] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, other), eq(auditEvents.action, "wallet_link")));
    expect(refused).toMatchObject({ outcome: "refused", reason: "wallet_linked_elsewhere" });
    expect(refused?.data).toMatchObject({ address: wallet.address, linkedTo: owner });
    const groups = await db
      .select({ group: users.accountGroupId })
      .from(users)
      .where(inArray(users.id, [owner, other]));
    expect(groups[0]?.group).toBeTruthy();
    expect(groups[0]?.group).toBe(groups[1]?.group);
    // The refused message's nonce was spent all the same.
    expect(await outcome(linkWallet(db, { userId: other }, attempt, SITE, later(2000)))).toBe(
      "wallet_signature_invalid:nonce",
    );
  });

  it("takes one address per player: unlink, then link another; every change audited", async () => {
    const [playerId = ""] = await createPlayers(db, 1);
    const first = Wallet.createRandom();
    await linkWallet(db, { userId: playerId }, await signedLink(playerId, first), SITE, later(1));
    // The same address again is no change.
    await linkWallet(db, { userId: playerId }, await signedLink(playerId, first), SITE, later(2));
    const second = Wallet.createRandom();
    expect(
      await outcome(
        linkWallet(db, { userId: playerId }, await signedLink(playerId, second), SITE, later(3)),
      ),
    ).toBe("wallet_already_linked");
    await unlinkWallet(db, { userId: playerId }, later(4));
    expect(await getWalletLink(db, playerId)).toBeNull();
    expect(await outcome(unlinkWallet(db, { userId: playerId }, later(5)))).toBe("not_found");
    const relinked = await linkWallet(
      db,
      { userId: playerId },
      await signedLink(playerId, second),
      SITE,
      later(6),
    );
    expect(relinked.address).toBe(second.address);
    const events = await db
      .select({ action: auditEvents.action, outcome: auditEvents.outcome })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.actorId, playerId),
          inArray(auditEvents.action, ["wallet_link", "wallet_unlink"]),
        ),
      )
      .orderBy(auditEvents.id);
    expect(events).toEqual([
      { action: "wallet_link", outcome: "ok" },
      { action: "wallet_unlink", outcome: "ok" },
      { action: "wallet_link", outcome: "ok" },
    ]);
    // The first address is free again for another account.
    const [next = ""] = await createPlayers(db, 1);
    expect(
      await outcome(
        linkWallet(db, { userId: next }, await signedLink(next, first), SITE, later(7)),
      ),
    ).toBe("linked");
  });

  it("makes waiting payouts due when a wallet is linked, and waiting again when unlinked", async () => {
    const [playerId = ""] = await createPlayers(db, 1);
    const [redemptionId = ""] = await cryptoRedemptions([playerId]);
    const request = { redemptionId, playerId, amountBaseUnits: 10n ** 19n };
    expect(await db.transaction((tx) => requestTokenPayout(tx, request))).toEqual({
      status: "awaiting_wallet",
    });
    const wallet = Wallet.createRandom();
    await linkWallet(db, { userId: playerId }, await signedLink(playerId, wallet), SITE, later(1));
    const payout = async () =>
      (await db.select().from(tokenPayouts).where(eq(tokenPayouts.redemptionId, redemptionId)))[0];
    expect(await payout()).toMatchObject({
      status: "due",
      address: wallet.address,
      amount: "10000000000000000000",
    });
    // Asked again (a retried delivery): the same payout, unchanged.
    expect(await db.transaction((tx) => requestTokenPayout(tx, request))).toEqual({
      status: "due",
    });
    await unlinkWallet(db, { userId: playerId }, later(2));
    expect(await payout()).toMatchObject({ status: "awaiting_wallet", address: null });
  });

  it("makes a payout due at once for a player with a wallet", async () => {
    const [playerId = ""] = await createPlayers(db, 1);
    const wallet = Wallet.createRandom();
    await linkWallet(db, { userId: playerId }, await signedLink(playerId, wallet), SITE, later(1));
    const [redemptionId = ""] = await cryptoRedemptions([playerId]);
    expect(
      await db.transaction((tx) =>
        requestTokenPayout(tx, { redemptionId, playerId, amountBaseUnits: 5n }),
      ),
    ).toEqual({ status: "due" });
    await expect(
      db.transaction((tx) =>
        requestTokenPayout(tx, { redemptionId, playerId, amountBaseUnits: 0n }),
      ),
    ).rejects.toThrow(/not a payout/);
  });
});

describe("linkSite", () => {
  it("takes AUTH_URL's host, else APP_URL's, else the request's", () => {
    const request = "http://localhost:3000/account";
    expect(linkSite(request, parseEnv({ AUTH_URL: "https://prizes.example/" }))).toEqual({
      domain: "prizes.example",
      uri: "https://prizes.example",
      chainId: 31337,
    });
    expect(linkSite(request, parseEnv({ APP_URL: "https://app.example:8443" })).domain).toBe(
      "app.example:8443",
    );
    expect(linkSite(request, parseEnv({}))).toEqual({
      domain: "localhost:3000",
      uri: "http://localhost:3000",
      chainId: 31337,
    });
  });

  it("names the ledger's chain, and refuses a node without its chain id", () => {
    expect(linkSite("http://a/", parseEnv({ LEDGER_CHAIN_ID: "5" })).chainId).toBe(5);
    const node = { LEDGER_RPC_URL: "http://node:8545", LEDGER_CONTRACT: `0x${"1".repeat(40)}` };
    expect(() => linkSite("http://a/", parseEnv(node))).toThrow(/not configured/);
  });
});
