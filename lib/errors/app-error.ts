/** Stable, machine-readable error codes: the same code reaches the API body, the page and the audit trail. */
export const errorStatus = {
  bad_request: 400,
  invalid_input: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  /** The account has two-factor on: send the code (or a recovery code) as `otp`. */
  otp_required: 401,
  otp_invalid: 401,
  /** Too many failed sign-ins in a row: `retryAfter` says when the next attempt is allowed. */
  locked: 429,
  forbidden: 403,
  /** The credentials are right but an admin suspended the account: no session, no token. */
  account_suspended: 403,
  /** Admins and auditors must turn two-factor on before using their role. */
  two_factor_required: 403,
  not_found: 404,
  /** The drop has started: only its end (later), pause and ending early may change. */
  drop_started: 409,
  email_taken: 409,
  not_started: 409,
  ended: 409,
  paused: 409,
  expired: 409,
  sold_out: 409,
  limit_reached: 409,
  not_eligible: 403,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_mismatch: 422,
  /** A verification or password-reset link that is unknown, used or expired (`details.reason`). */
  invalid_link: 400,
  /** An admin tried to change their own role. */
  own_account: 409,
  region_locked: 409,
  /** The change would leave no admin. */
  last_admin: 409,
  /** The redemption was reversed already (a second click, or another admin first). */
  already_reversed: 409,
  /** The redemption expired: its unit went back already, there is nothing to reverse. */
  already_expired: 409,
  /** A gift card's returned unit would have no code to hand out: import codes first. */
  gift_codes_exhausted: 409,
  /** A cool-off or self-exclusion is in force: the message says which, and until when. */
  self_excluded: 403,
  /** A new cool-off or self-exclusion would end before the one in force: nobody shortens one. */
  already_excluded: 409,
  /** Not enough coins (or not enough redeemable Sweeps Coins) for the movement asked. */
  insufficient_funds: 409,
  /** The SC balance covers it, but not the part played through once (balance - playthrough). */
  not_redeemable: 409,
  /** The catalog item costs less than the minimum redemption. */
  below_minimum: 409,
  /** Declare a legal name, date of birth and postal address first (/account/identity). */
  identity_required: 403,
  /** Confirm the account's email address first. */
  email_unverified: 403,
  /** No stock left (or, for a gift card, no code left in its pool). */
  out_of_stock: 409,
  /** The redemption or payment was reviewed already (another admin, or a second click). */
  already_reviewed: 409,
  /** Today's free Sweeps Coins were claimed already (`nextAt`: when tomorrow's are). */
  already_claimed: 409,
  /** No such mail-in code. */
  invalid_code: 404,
  /** The mail-in code was redeemed already. */
  code_used: 409,
  /** A delivery step that does not follow the last one (a parcel shipped before it is packed). */
  out_of_order: 409,
  /** A webhook whose signature is missing, wrong or too old. */
  invalid_signature: 401,
  /** The payment provider could not be reached or refused: nothing was charged. */
  payment_provider_error: 502,
  /** Only a dead job or delivery is retried: one pending, retrying or done needs none. */
  not_retryable: 409,
  /** The job is running or over: there is nothing left to cancel. */
  not_cancellable: 409,
  /**
   * A wallet link's signed message or signature does not hold (`details.reason`: malformed,
   * domain, uri, chain, statement, expired, nonce, signature).
   */
  wallet_signature_invalid: 400,
  /** The account has a linked wallet already: unlink it first. */
  wallet_already_linked: 409,
  /** The address is linked to another account (accounts sharing payouts are an abuse signal). */
  wallet_linked_elsewhere: 409,
  /** A drop with a waiting room: claim with the admission token your turn gave you. */
  admission_required: 403,
  /** The admission token's time is up: join the waiting room again (at the back). */
  admission_expired: 403,
  /** The drop's pre-queue has not opened yet (`details.opensAt`). */
  queue_not_open: 409,
  /** The drop ended: its waiting room takes nobody any more. */
  queue_closed: 409,
  /** An account linked to the caller's holds a place already (one place per linked group). */
  queue_linked_place: 409,
  /** The caller left this waiting room too often to join it again (lib/queue MAX_QUEUE_LEAVES). */
  queue_left_too_often: 409,
  /** The waiting room opened: players hold places, so it stays on with its lead time. */
  queue_open: 409,
  /** The player was let in: an admitted place is not left, it is claimed or runs out. */
  queue_admitted: 409,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
