import { z } from "zod";
import { linkChallengeSchema, linkWalletSchema } from "@/lib/payouts/model";
import { dateTime, type Resource } from "./wire";

const address = z.string().meta({
  description: "EIP-55 checksummed",
  examples: ["0x90F79bf6EB2c4f870365E785982E1f101E93b906"],
});

export const walletLinkResponse = z
  .object({
    address,
    chainId: z.number().int().meta({ description: "the chain crypto prizes are paid on" }),
    linkedAt: dateTime,
  })
  .meta({ id: "WalletLink" });

export const walletLinkStateResponse = z.object({
  wallet: walletLinkResponse.nullable().meta({ description: "null: no wallet linked" }),
});

export const linkChallengeResponse = z.object({
  address,
  nonce: z.string().meta({ description: "single use, bound to the caller" }),
  message: z.string().meta({
    description:
      "the EIP-4361 message to sign with personal_sign (EIP-191), exactly as given: this site's host as domain, the payout chain's id, the nonce, an expiry 10 minutes on",
  }),
  expiresAt: dateTime,
});

export const walletLink: Resource = {
  name: "Wallet link",
  description:
    "The wallet address crypto prizes are paid to, proven with Sign-In with Ethereum (EIP-4361). One address per player at a time, and one player per address.",
  paths: {
    "/api/v1/account/wallet": {
      get: {
        summary: "The caller's linked wallet",
        access: "player",
        replies: { 200: { description: "OK", json: walletLinkStateResponse } },
      },
      put: {
        summary: "Link the wallet that signed a challenge's message",
        description:
          "Send the message from POST /api/v1/account/wallet/challenge and the wallet's signature of it. The nonce is spent by a link (or by a refusal of the address), so a message links once. Payouts waiting for a wallet are paid to it. Audited.",
        access: "player",
        body: linkWalletSchema,
        replies: {
          200: {
            description: "Linked (or already linked to this address)",
            json: walletLinkResponse,
          },
        },
        errors: {
          wallet_signature_invalid:
            "error.reason: malformed, domain, uri, chain, statement, expired, nonce (unknown, used, another player's) or signature",
          wallet_already_linked: "the caller has another address linked: unlink it first",
          wallet_linked_elsewhere: "the address is another account's",
          unavailable: "no payout chain is configured",
        },
      },
      delete: {
        summary: "Unlink the caller's wallet",
        description: "Payouts not yet sent wait for the next linked wallet. Audited.",
        access: "player",
        replies: { 204: { description: "Unlinked" } },
        errors: { not_found: "no wallet is linked" },
      },
    },
    "/api/v1/account/wallet/challenge": {
      post: {
        summary: "A message for the wallet at `address` to sign, with a fresh nonce",
        access: "player",
        body: linkChallengeSchema,
        replies: { 201: { description: "Created", json: linkChallengeResponse } },
        errors: { unavailable: "no payout chain is configured" },
      },
    },
  },
};
