import "server-only";
import { randomBytes } from "node:crypto";
import { and, eq, isNull, lte, sql } from "drizzle-orm";
import { SiweMessage } from "siwe";
import type { Db, Tx } from "@/db/client";
import { notify } from "@/db/notify";
import { tokenPayouts, walletLinks, walletNonces } from "@/db/schema";
import { linkSignals } from "@/lib/abuse/account-links";
import { type RequestContext, recordEvent } from "@/lib/audit/record-event";
import { type Env, env, payoutChainId } from "@/lib/config/env";
import { AppError } from "@/lib/errors/app-error";
import {
  LINK_NONCE_TTL_MS,
  LINK_STATEMENT,
  type LinkChallenge,
  type LinkWalletInput,
  type WalletLinkView,
} from "./model";

/** Where links are signed: the site's host (EIP-4361 `domain`), its URL, and the payout chain. */
export type LinkSite = { domain: string; uri: string; chainId: number };

export type LinkCaller = RequestContext & { userId: string; tokenId?: string | null };

/**
 * The site a link is signed for: AUTH_URL's host (what Auth.js takes as the site), else
 * APP_URL's, else the host the request came to (a local installation); the chain prizes are paid
 * on.
 */
export function linkSite(requestUrl: string, config: Env = env()): LinkSite {
  const chainId = payoutChainId(config);
  if (chainId === undefined) {
    throw new AppError("unavailable", "Wallet linking is not configured (LEDGER_CHAIN_ID)");
  }
  const site = new URL(config.AUTH_URL ?? config.APP_URL ?? requestUrl);
  return { domain: site.host, uri: site.origin, chainId };
}

/** Nonces a player may hold at once: each challenge adds one, the oldest beyond go. */
const MAX_OPEN_NONCES = 5;

// Advisory lock class of wallet links: one per account and one per address, so two links of one
// account, or of one address, take turns and each sees the other's outcome.
const LINK_LOCK = 0x5749_4c4b; // "WILK"

/** The message a player's wallet signs to link `address`, with a fresh single-use nonce. */
export async function createLinkChallenge(
  db: Db,
  caller: { userId: string },
  address: string,
  site: LinkSite,
  now: Date,
): Promise<LinkChallenge> {
  // EIP-4361 asks for at least 8 alphanumeric characters: 24 hex digits are 96 random bits.
  const nonce = randomBytes(12).toString("hex");
  const expiresAt = new Date(now.getTime() + LINK_NONCE_TTL_MS);
  await db.transaction(async (tx) => {
    await tx.delete(walletNonces).where(lte(walletNonces.expiresAt, now));
    await tx.insert(walletNonces).values({ nonce, userId: caller.userId, expiresAt });
    await tx.execute(sql`
      delete from wallet_nonces where user_id = ${caller.userId} and nonce not in (
        select nonce from wallet_nonces where user_id = ${caller.userId}
        order by created_at desc, nonce limit ${MAX_OPEN_NONCES})`);
  });
  const message = new SiweMessage({
    domain: site.domain,
    address,
    statement: LINK_STATEMENT,
    uri: site.uri,
    version: "1",
    chainId: site.chainId,
    nonce,
    issuedAt: now.toISOString(),
    expirationTime: expiresAt.toISOString(),
  }).prepareMessage();
  return { address, nonce, message, expiresAt: expiresAt.toISOString() };
}

const refuse = (reason: string, message: string) =>
  new AppError("wallet_signature_invalid", message, { reason });

/**
 * Checks everything of a signed link message that needs no database: its form, that it was
 * made for this site, chain and purpose, its time window, and the signature. Returns the
 * message's nonce and checksummed address.
 */
async function checkSignedMessage(
  input: LinkWalletInput,
  site: LinkSite,
  now: Date,
): Promise<{ nonce: string; address: string }> {
  let message: SiweMessage;
  try {
    message = new SiweMessage(input.message);
  } catch {
    throw refuse("malformed", "This is not a Sign-In with Ethereum message");
  }
  if (message.domain !== site.domain) {
    throw refuse("domain", `The message was made for ${message.domain}, not for ${site.domain}`);
  }
  let uriHost: string | undefined;
  try {
    uriHost = new URL(message.uri).host;
  } catch {
    uriHost = undefined;
  }
  if (uriHost !== site.domain) throw refuse("uri", "The message's URI is not this site's");
  if (message.chainId !== site.chainId) {
    throw refuse(
      "chain",
      `The message names chain ${message.chainId}; prizes are paid on chain ${site.chainId}`,
    );
  }
  if (message.statement !== LINK_STATEMENT) {
    throw refuse("statement", "The message does not ask to link a wallet for prize payouts");
  }
  const expires = message.expirationTime ? Date.parse(message.expirationTime) : Number.NaN;
  if (!(expires > now.getTime())) throw refuse("expired", "The message has expired: start again");
  const result = await message.verify(
    { signature: input.signature, domain: site.domain, time: now.toISOString() },
    { suppressExceptions: true },
  );
  if (!result.success) {
    if (result.error?.type === "Message is not valid yet.") {
      throw refuse("expired", "The message is not valid yet");
    }
    throw refuse("signature", "The signature is not the address's signature of this message");
  }
  return { nonce: message.nonce, address: message.address };
}

/**
 * Takes the lock a link of this account holds: a payout requested meanwhile either sees the new
 * link or is made due by it, never neither.
 */
export async function lockAccountLinks(tx: Tx, userId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${LINK_LOCK}, hashtext(${`user:${userId}`}))`);
}

async function lockLink(tx: Tx, userId: string, address: string): Promise<void> {
  const keys = [`user:${userId}`, `address:${address.toLowerCase()}`].sort();
  await tx.execute(sql`
    select pg_advisory_xact_lock(${LINK_LOCK}, hashtext(k))
    from unnest(${sql.param(keys)}::text[]) with ordinality as t(k, n) order by n`);
}

/** Payout details shared between accounts link them (lib/abuse/account-links.ts). */
const walletSignal = (userId: string, address: string) => ({
  userId,
  kind: "payout" as const,
  value: `wallet:${address.toLowerCase()}`,
});

type LinkOutcome = { ok: true; link: WalletLinkView } | { ok: false; error: AppError };

/**
 * Links the wallet whose key signed `input.message` (a challenge from createLinkChallenge) to
 * the caller's account. The nonce is consumed in the same transaction as the link, so a replay,
 * even a concurrent one, finds it gone. An address linked to another account is refused, and the
 * refusal is kept (audit event, and a payout signal grouping the two accounts). Payouts waiting
 * for a wallet become due in the link's transaction.
 */
export async function linkWallet(
  db: Db,
  caller: LinkCaller,
  input: LinkWalletInput,
  site: LinkSite,
  now: Date,
): Promise<WalletLinkView> {
  const { nonce, address } = await checkSignedMessage(input, site, now);
  const audit = {
    actorId: caller.userId,
    action: "wallet_link",
    subject: `user:${caller.userId}`,
    ip: caller.ip,
    userAgent: caller.userAgent,
    requestId: caller.requestId,
    tokenId: caller.tokenId,
  };
  const outcome = await db.transaction(async (tx): Promise<LinkOutcome> => {
    const [used] = await tx
      .delete(walletNonces)
      .where(and(eq(walletNonces.nonce, nonce), eq(walletNonces.userId, caller.userId)))
      .returning({ expiresAt: walletNonces.expiresAt });
    if (!used || used.expiresAt <= now) {
      throw refuse("nonce", "This message was used already or has expired: start again");
    }
    await lockLink(tx, caller.userId, address);
    const live = await tx
      .select()
      .from(walletLinks)
      .where(
        and(
          isNull(walletLinks.unlinkedAt),
          sql`(${walletLinks.userId} = ${caller.userId} or lower(${walletLinks.address}) = ${address.toLowerCase()})`,
        ),
      );
    const own = live.find((l) => l.userId === caller.userId);
    const other = live.find((l) => l.userId !== caller.userId);
    if (own && own.address === address) return { ok: true, link: view(own) };
    if (other) {
      await linkSignals(tx, [walletSignal(caller.userId, address)]);
      await recordEvent(tx, {
        ...audit,
        outcome: "refused",
        reason: "wallet_linked_elsewhere",
        data: { address, linkedTo: other.userId },
      });
      return {
        ok: false,
        error: new AppError(
          "wallet_linked_elsewhere",
          "This wallet is linked to another account: each wallet may receive one account's prizes",
        ),
      };
    }
    if (own) {
      throw new AppError(
        "wallet_already_linked",
        `Your account is linked to ${own.address}: unlink it first`,
      );
    }
    const [link] = await tx
      .insert(walletLinks)
      .values({ userId: caller.userId, address, chainId: site.chainId, linkedAt: now })
      .returning();
    if (!link) throw new Error("the wallet link was not inserted");
    const due = await tx
      .update(tokenPayouts)
      .set({ status: "due", address, updatedAt: now })
      .where(
        and(eq(tokenPayouts.playerId, caller.userId), eq(tokenPayouts.status, "awaiting_wallet")),
      )
      .returning({ id: tokenPayouts.redemptionId });
    if (due.length > 0) await notify(tx, "token_payouts");
    await linkSignals(tx, [walletSignal(caller.userId, address)]);
    await recordEvent(tx, {
      ...audit,
      outcome: "ok",
      data: { before: null, after: { address, chainId: site.chainId }, payoutsDue: due.length },
    });
    return { ok: true, link: view(link) };
  });
  if (!outcome.ok) throw outcome.error;
  return outcome.link;
}

/**
 * Ends the caller's link. Payouts not yet signed go back to waiting for a wallet: a player who
 * unlinks an address (lost, or compromised) is never paid there afterwards.
 */
export async function unlinkWallet(db: Db, caller: LinkCaller, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(walletLinks)
      .where(and(eq(walletLinks.userId, caller.userId), isNull(walletLinks.unlinkedAt)));
    if (!current) throw new AppError("not_found", "No wallet is linked to your account");
    await lockLink(tx, caller.userId, current.address);
    const [ended] = await tx
      .update(walletLinks)
      .set({ unlinkedAt: now })
      .where(and(eq(walletLinks.id, current.id), isNull(walletLinks.unlinkedAt)))
      .returning({ id: walletLinks.id });
    if (!ended) throw new AppError("not_found", "No wallet is linked to your account");
    const waiting = await tx
      .update(tokenPayouts)
      .set({ status: "awaiting_wallet", address: null, updatedAt: now })
      .where(and(eq(tokenPayouts.playerId, caller.userId), eq(tokenPayouts.status, "due")))
      .returning({ id: tokenPayouts.redemptionId });
    await recordEvent(tx, {
      actorId: caller.userId,
      action: "wallet_unlink",
      subject: `user:${caller.userId}`,
      outcome: "ok",
      ip: caller.ip,
      userAgent: caller.userAgent,
      requestId: caller.requestId,
      tokenId: caller.tokenId,
      data: { before: { address: current.address }, after: null, payoutsWaiting: waiting.length },
    });
  });
}

/** The caller's linked wallet, or null. */
export async function getWalletLink(db: Db, userId: string): Promise<WalletLinkView | null> {
  const [link] = await db
    .select()
    .from(walletLinks)
    .where(and(eq(walletLinks.userId, userId), isNull(walletLinks.unlinkedAt)));
  return link ? view(link) : null;
}

function view(link: typeof walletLinks.$inferSelect): WalletLinkView {
  return { address: link.address, chainId: link.chainId, linkedAt: link.linkedAt.toISOString() };
}
