/** Crypto payouts and wallet links as the browser may see them: statuses, shapes, the token ABI. */
import { getAddress, parseUnits, zeroPadValue } from "ethers";
import { z } from "zod";

/** The prize token's decimals (contracts/PrizeToken.sol). */
export const TOKEN_DECIMALS = 18;

export const payoutStatuses = [
  "awaiting_wallet",
  "due",
  "signed",
  "sent",
  "confirmed",
  "failed",
  "cancelled",
] as const;
export type PayoutStatus = (typeof payoutStatuses)[number];

export const payoutStatusLabels: Record<PayoutStatus, string> = {
  awaiting_wallet: "Waiting for a linked wallet",
  due: "Queued",
  signed: "Being sent",
  sent: "Sent, waiting for confirmation",
  confirmed: "Paid",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** What the delivery pipeline is told of a payout (lib/delivery's statuses). */
export type PayoutOutcome = {
  status: "submitted" | "delivered" | "failed";
  txHash: string | null;
  /** The payout's id on chain (PrizePaid's `id`): the redemption id, left-padded to 32 bytes. */
  reference: string;
  error: { code: PayoutErrorCode; message: string } | null;
};

/** Why a payout failed for good: none of these is retried. */
export const payoutErrorCodes = ["token_symbol_mismatch", "not_a_crypto_prize"] as const;
export type PayoutErrorCode = (typeof payoutErrorCodes)[number];

/**
 * The prize token's ABI as the server and the browser use it (human-readable ethers ABI).
 */
export const PRIZE_TOKEN_ABI = [
  "function name() view returns (string)",
  "function symbol() view returns (string)",
  "function decimals() view returns (uint8)",
  "function balanceOf(address account) view returns (uint256)",
  "function totalSupply() view returns (uint256)",
  "function transfer(address to, uint256 amount) returns (bool)",
  "function payout(bytes32[] ids, address[] to, uint256[] amounts)",
  "function isPaid(address payer, bytes32 id) view returns (bool)",
  "event Transfer(address indexed from, address indexed to, uint256 value)",
  "event PrizePaid(bytes32 indexed id, address indexed payer, address indexed to, uint256 amount)",
  "error PayoutLengthMismatch(uint256 ids, uint256 recipients, uint256 amounts)",
  "error PrizeAlreadyPaid(bytes32 id)",
] as const;

/** A redemption's id as PrizePaid names it: the UUID's 16 bytes, left-padded to 32. */
export function payoutIdOf(redemptionId: string): string {
  const hex = redemptionId.replaceAll("-", "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`${redemptionId} is not a UUID`);
  return zeroPadValue(`0x${hex}`, 32);
}

/** A prize's token amount ("10.5", numeric(38,18) text) in base units. */
export function tokenBaseUnits(tokenAmount: string): bigint {
  return parseUnits(tokenAmount, TOKEN_DECIMALS);
}

/** The EIP-4361 statement every wallet link signs. */
export const LINK_STATEMENT =
  "Link this wallet to my Prizeledger account to receive Prizeledger prize payouts.";

/** How long a link's nonce (and the message it is in) is good for. */
export const LINK_NONCE_TTL_MS = 10 * 60_000;

export const addressSchema = z
  .string({ error: "Enter a wallet address" })
  .trim()
  .regex(/^0x[0-9a-fA-F]{40}$/, "A wallet address is 0x and 40 hexadecimal digits")
  .refine((value) => {
    // A mixed-case address carries an EIP-55 checksum: a typo in it is caught here.
    try {
      getAddress(value);
      return true;
    } catch {
      return false;
    }
  }, "This address's checksum is wrong: check it for a typo")
  .transform((value) => getAddress(value));

export const linkChallengeSchema = z.object({ address: addressSchema });

export const linkWalletSchema = z.object({
  message: z
    .string({ error: "Give the message that was signed" })
    .min(1, "Give the message that was signed")
    .max(2000, "That is not a wallet-link message")
    // A form sends its text fields with CRLF line ends (multipart encoding); the message was
    // made, and signed, with LF ones.
    .transform((text) => text.replaceAll("\r\n", "\n")),
  signature: z
    .string({ error: "Give the signature" })
    .trim()
    .regex(/^0x[0-9a-fA-F]{130}$/, "A signature is 0x and 130 hexadecimal digits"),
});
export type LinkWalletInput = z.infer<typeof linkWalletSchema>;

export type LinkChallenge = { address: string; nonce: string; message: string; expiresAt: string };

export type WalletLinkView = { address: string; chainId: number; linkedAt: string };

export type PayoutView = {
  redemptionId: string;
  status: PayoutStatus;
  amount: string;
  address: string | null;
  txHash: string | null;
  updatedAt: string;
};
