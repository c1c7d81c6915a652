import "server-only";
import type { RequestContext } from "@/lib/audit/record-event";
import type { Code } from "@/lib/codes/take-gift-codes";
import type { AllocationMode, EligibilityRules } from "@/lib/drops/model";
import type { AdmissionCheck } from "@/lib/queue/admission-token";
import type { ClaimedRedemption, RefusalReason } from "./model";

export type ClaimRequest = {
  dropId: string;
  playerId: string;
  /** The client's Idempotency-Key: the same key gets the same answer. */
  idempotencyKey?: string;
  /** Hash of what was asked with that key: the same key with another request is refused. */
  requestHash?: Uint8Array;
  /** The browser's device cookie: links the accounts claiming from one browser. */
  deviceId?: string | null;
  /** The request's country by GeoIP, when configured and known. */
  country?: string | null;
  /** The API token the claim came with, kept in the audit trail. */
  tokenId?: string | null;
  /**
   * The waiting room's admission token as the route checked it (HMAC, no database): a drop
   * with a waiting room takes only "admitted" claims.
   */
  admission?: AdmissionCheck;
  /** performance.now() when the request arrived: the claim latency the dashboard shows. */
  receivedAt?: number;
} & RequestContext;

export type ClaimOutcome =
  | { ok: true; redemption: ClaimedRedemption; code: string; replayed: boolean }
  | { ok: false; reason: RefusalReason; limit: number; replayed: boolean }
  | { ok: false; reason: "idempotency_mismatch"; limit: number; replayed: true };

/** What is kept for an idempotency key: the answer minus the code, which stays encrypted. */
export type StoredOutcome =
  | { ok: true; redemption: ClaimedRedemption }
  | { ok: false; reason: RefusalReason; limit: number };

export type { Code };

/**
 * One request on its way through a batch. A claim is answered by exactly one of: `outcome` (a
 * replay or a refusal of its key, decided before the drop is looked at), `sameAs` (a repeat of
 * a key another claim of the batch carries), or `decision` (decided by this batch, with `code`
 * when granted).
 */
export type Claim = {
  request: ClaimRequest;
  outcome?: ClaimOutcome;
  sameAs?: Claim;
  decision?: StoredOutcome;
  code?: Code;
  /** This batch reserved the request's key: the answer is stored under it. */
  keyReserved: boolean;
};

export type DropState = {
  id: string;
  title: string;
  now: Date;
  started: boolean;
  ended: boolean;
  paused: boolean;
  endsAt: Date;
  perPlayerLimit: number;
  allocation: AllocationMode;
  eligibility: EligibilityRules;
  /** The drop has a waiting room on: claims need an admission. */
  queued: boolean;
};

/**
 * A failure that belongs to one request of a batch (its stored answer cannot be read back, …):
 * the batch is run again without that request, which alone gets the error.
 */
export class ClaimRequestFailure extends Error {
  constructor(
    readonly request: ClaimRequest,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ClaimRequestFailure";
  }
}

/** postgres.js sends arrays of buffers badly: bytes travel as hex text and are decoded in SQL. */
export function hex(bytes: Uint8Array | undefined): string {
  return Buffer.from(bytes ?? new Uint8Array()).toString("hex");
}
