/**
 * The waiting room as the browser and API clients see it: states, views, labels and the admin's
 * settings. A drop with the room on opens a pre-queue before its start, shuffles it provably
 * fairly at the start, then admits players in batches with short-lived admission tokens.
 */
import { z } from "zod";

/** Where the caller stands in a drop's waiting room. */
export const queueStates = [
  "not_open",
  "pre_queue",
  "not_joined",
  "waiting",
  "admitted",
  "admission_expired",
  "closed",
] as const;
export type QueueState = (typeof queueStates)[number];

export const queueStateLabels: Record<QueueState, string> = {
  not_open: "The waiting room is not open yet",
  pre_queue: "You are in the pre-queue: places are drawn at random when the drop starts",
  not_joined: "You have not joined the waiting room",
  waiting: "You are in the queue",
  admitted: "It is your turn: claim before your admission expires",
  admission_expired: "Your admission expired: join again to queue at the back",
  closed: "The waiting room is closed",
};

export type QueueView = {
  dropId: string;
  enabled: boolean;
  /** This caller's state. */
  state: QueueState;
  /** When the pre-queue opens (ISO). */
  opensAt: string;
  /** The drop's start, when the pre-queue is shuffled (ISO). */
  startsAt: string;
  /** 1-based place in the order; null in the pre-queue (not shuffled yet) or when not joined. */
  position: number | null;
  /** People before the caller not yet admitted. */
  ahead: number | null;
  estimatedWaitSeconds: number | null;
  /** People waiting, not yet admitted. */
  queueLength: number;
  admissionRatePerMinute: number;
  /** Set while admitted: the token to send with the claim, and when it stops being accepted. */
  admission: { token: string; expiresAt: string } | null;
  /** Hex SHA-256 of the shuffle's seed, public from when the pre-queue opens. */
  seedHash: string;
  /** Hex seed, revealed once the pre-queue is shuffled. */
  seed: string | null;
  /**
   * The caller's pseudonym in the public proof list, so they can find themselves in it; null
   * when not joined. Nobody else can link it to the account.
   */
  pseudonym: string | null;
  /**
   * What the caller needs to recompute their pseudonym (lib/queue/shuffle.ts placePseudonym):
   * their account id and the place's salt (hex). Shown to this caller alone, from the join: the
   * pseudonym stays unlinkable to anyone else, and the player can see their entry in the list
   * before the draw. Null when not joined.
   */
  entry: { playerId: string; salt: string } | null;
};

export type QueueStats = {
  dropId: string;
  enabled: boolean;
  /** People waiting, not yet admitted. */
  queueLength: number;
  /** People admitted so far (including those whose admission since expired). */
  admitted: number;
  /** Admitted people who then claimed. */
  claimedAfterAdmission: number;
  admissionRatePerMinute: number;
  /** Time to admit everyone waiting at the current rate; null when nobody waits. */
  estimatedClearSeconds: number | null;
  opensAt: string;
  shuffledAt: string | null;
};

/** One queued place as the public proof lists it: no account, only a pseudonym. */
export type QueueProofEntry = {
  pseudonym: string;
  joinedAt: string;
  /** The player left after being placed (never admitted): passed over, but still in the order. */
  left?: true;
};

/**
 * The draw's entry in the ledger (lib/ledger/leaf.ts kind 7), appended in the transaction that
 * reveals the seed: it fixes the pre-queue (count and digest), the seed hash and the drawn order.
 */
export type QueueProofDraw = {
  /** The leaf's 98 bytes, 0x hex. */
  leaf: string;
  /** Its index in the public log; null until the sequencer numbers it (seconds). */
  leafIndex: number | null;
};

/**
 * Everything needed to replay the order: the seed (once revealed) and its hash, every entry in
 * join order, the published order (pseudonyms in admission order) once shuffled, and the draw's
 * ledger entry. A proof saved before draws were logged has no `draw`.
 */
export type QueueProof = {
  dropId: string;
  algorithm: "prizeledger-queue/v1";
  seedHash: string;
  seed: string | null;
  /** The drop's start: entries joined before it are the pre-queue, shuffled; the rest follow. */
  startsAt: string;
  shuffledAt: string | null;
  entries: QueueProofEntry[];
  order: string[] | null;
  /** Null before the shuffle, and for rooms drawn before draws were logged. */
  draw?: QueueProofDraw | null;
};

/**
 * Defaults an operator expects: a 15-minute pre-queue, 3-minute admissions, and 50 admissions a
 * second, a small share of what one web process's claim path answers (docs/BENCHMARKS.md), so
 * the claims of those admitted never queue behind each other.
 */
export const QUEUE_DEFAULTS = {
  preQueueMinutes: 15,
  admissionRatePerMinute: 3000,
  admissionTtlSeconds: 180,
} as const;

const admissionRate = (number: z.ZodNumber) =>
  number
    .int("The admission rate is a whole number per minute")
    .min(1, "Admit at least one player a minute")
    .max(100_000, "At most 100,000 players a minute");
/** As the drop form types it (text), or in a drop's JSON. */
export const admissionRateSchema = admissionRate(
  z.coerce.number({ error: "The admission rate must be a number" }),
);

export const preQueueMinutesSchema = z.coerce
  .number({ error: "The pre-queue lead time must be a number" })
  .int("The pre-queue lead time is whole minutes")
  .min(0, "The pre-queue lead time cannot be negative")
  .max(24 * 60, "The pre-queue opens at most 24 hours before the start");

export const admissionTtlSchema = z.coerce
  .number({ error: "The admission lifetime must be a number" })
  .int("The admission lifetime is whole seconds")
  .min(30, "An admission lasts at least 30 seconds")
  .max(30 * 60, "An admission lasts at most 30 minutes");

/**
 * A drop's waiting-room settings as the drop form and the admin API take them: each one
 * optional. Unset at creation, the room is on for a first-come drop of at least
 * WAITING_ROOM_THRESHOLD units, with QUEUE_DEFAULTS.
 */
export const waitingRoomInputSchema = z
  .object({
    enabled: z.boolean({ error: "enabled is true or false" }).optional(),
    preQueueMinutes: preQueueMinutesSchema.optional(),
    admissionRatePerMinute: admissionRateSchema.optional(),
    admissionTtlSeconds: admissionTtlSchema.optional(),
  })
  .strict();
export type WaitingRoomInput = z.infer<typeof waitingRoomInputSchema>;

/** A drop's waiting-room settings as saved. */
export type WaitingRoomSettings = {
  enabled: boolean;
  preQueueMinutes: number;
  admissionRatePerMinute: number;
  admissionTtlSeconds: number;
};

/** The admin's live change: `PATCH /api/v1/admin/drops/{dropId}/queue`. */
export const setAdmissionRateSchema = z
  .object({
    // JSON numbers only: "0x10" or "1e2" as text is a mistake to name, not a rate to guess.
    admissionRatePerMinute: admissionRate(
      z.number({ error: "admissionRatePerMinute is a number of players a minute" }),
    ),
  })
  .strict();

/** The header (API) and hidden form field (claim action) that carry an admission token. */
export const ADMISSION_HEADER = "Admission-Token";
export const ADMISSION_FIELD = "admission";

/** Estimated wait: the people ahead at the admission rate, in whole seconds. */
export function estimateWaitSeconds(ahead: number, ratePerMinute: number): number {
  return Math.ceil((ahead * 60) / Math.max(1, ratePerMinute));
}

/** How often the player's panel reads its place: fast near the turn, slower far back. */
export const QUEUE_POLL = { minMs: 2_000, maxMs: 25_000, jitter: 0.2 } as const;

/** Milliseconds until the caller's view is next expected to change, as far as it can tell. */
function untilChangeMs(view: QueueView, nowMs: number): number {
  switch (view.state) {
    // Placed within about a second of joining: the position is worth reading soon.
    case "waiting":
      return view.position === null ? 0 : (view.estimatedWaitSeconds ?? 0) * 1000;
    case "pre_queue":
      return Date.parse(view.startsAt) - nowMs;
    case "not_open":
      return Date.parse(view.opensAt) - nowMs;
    case "closed":
      return Number.POSITIVE_INFINITY;
    default:
      return 0;
  }
}

/**
 * The delay before the panel's next read: a quarter of the time until the view should change,
 * between 2 and 25 seconds, so a player far back (or long before the start) asks rarely and one
 * near the turn every 2 seconds; spread ±20% at random so a crowd does not read in step.
 * `nowMs` is the server's clock; `random` a number in [0, 1).
 */
export function queuePollDelayMs(view: QueueView, nowMs: number, random: number): number {
  const { minMs, maxMs, jitter } = QUEUE_POLL;
  const base = Math.min(maxMs, Math.max(minMs, untilChangeMs(view, nowMs) / 4));
  return Math.round(base * (1 - jitter + 2 * jitter * random));
}

/** At most this many entries (and as many places of the order) in one page of the proof. */
export const PROOF_PAGE_MAX = 1_000;

const proofIndex = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} is a whole number`)
    .min(0, `${name} cannot be negative`);

/**
 * A page of the public proof: `after` entries skipped (0 by default), at most `limit` listed
 * (PROOF_PAGE_MAX by default). Without either, the whole proof, for the replay tools.
 */
export const proofPageQuery = z.object({
  after: proofIndex("after").optional(),
  limit: proofIndex("limit")
    .min(1, "limit is at least 1")
    .max(PROOF_PAGE_MAX, `limit is at most ${PROOF_PAGE_MAX.toLocaleString("en")}`)
    .optional(),
});
const pageCount = z.number().int();

/** Where a page of the proof lies in its two lists, and the `after` of the next page. */
export const proofPageSchema = z.object({
  after: pageCount.meta({ description: "entries (and places of the order) skipped" }),
  limit: pageCount,
  entryCount: pageCount.meta({ description: "every entry of the whole proof" }),
  orderCount: pageCount.meta({ description: "every place of the whole order" }),
  next: pageCount.nullable().meta({ description: "after for the next page; null on the last" }),
});
export type ProofPage = z.infer<typeof proofPageSchema>;

/**
 * Entries `after`…`after + limit − 1` of the proof, and the same stretch of its order (0-based:
 * the order's index i is position i + 1). Paging both lists by one index keeps one cursor.
 */
export function pageQueueProof(
  proof: QueueProof,
  query: { after?: number; limit?: number },
): QueueProof & { page: ProofPage } {
  const after = query.after ?? 0;
  const limit = query.limit ?? PROOF_PAGE_MAX;
  const end = after + limit;
  const longest = Math.max(proof.entries.length, proof.order?.length ?? 0);
  return {
    ...proof,
    entries: proof.entries.slice(after, end),
    order: proof.order?.slice(after, end) ?? null,
    page: {
      after,
      limit,
      entryCount: proof.entries.length,
      orderCount: proof.order?.length ?? 0,
      next: end < longest ? end : null,
    },
  };
}
