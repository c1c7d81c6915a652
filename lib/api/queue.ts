import { z } from "zod";
import {
  proofPageQuery,
  proofPageSchema,
  queueStates,
  setAdmissionRateSchema,
} from "@/lib/queue/model";
import { QUEUE_ALGORITHM } from "@/lib/queue/shuffle";
import { dateTime, idPath, type Resource, uuid } from "./wire";

const pseudonym = z
  .string()
  .meta({ description: "a place's public pseudonym: 64 hex digits, unlinkable to the account" });
const count = z.number().int();

export const queueViewResponse = z
  .object({
    dropId: uuid,
    enabled: z.boolean(),
    state: z.enum(queueStates),
    opensAt: dateTime.meta({ description: "when the pre-queue opens" }),
    startsAt: dateTime.meta({ description: "the drop's start, when the pre-queue is shuffled" }),
    position: count
      .nullable()
      .meta({ description: "1-based place in the order; null before the shuffle or placing" }),
    ahead: count.nullable().meta({ description: "people before the caller not yet admitted" }),
    estimatedWaitSeconds: count.nullable(),
    queueLength: count.meta({ description: "people waiting, not yet admitted" }),
    admissionRatePerMinute: count,
    admission: z.object({ token: z.string(), expiresAt: dateTime }).nullable().meta({
      description: "while admitted: send the token as the claim's Admission-Token header",
    }),
    seedHash: z.string().meta({ description: "hex SHA-256 of the shuffle's seed" }),
    seed: z.string().nullable().meta({ description: "hex, revealed once shuffled" }),
    pseudonym: pseudonym.nullable().meta({ description: "the caller's own place in the proof" }),
    entry: z
      .object({
        playerId: uuid,
        salt: z.string().meta({ description: "hex, 32 bytes: shown to this player alone" }),
      })
      .nullable()
      .meta({
        description:
          'what recomputes the caller\'s pseudonym: SHA-256("prizeledger/queue-place/v1" ‖ dropId ‖ playerId ‖ salt)',
      }),
  })
  .meta({ id: "QueueView", description: "See docs/waiting-room.md." });

export const queueStatsResponse = z
  .object({
    dropId: uuid,
    enabled: z.boolean(),
    queueLength: count,
    admitted: count,
    claimedAfterAdmission: count,
    admissionRatePerMinute: count,
    estimatedClearSeconds: count.nullable(),
    opensAt: dateTime,
    shuffledAt: dateTime.nullable(),
  })
  .meta({ id: "QueueStats" });

export const queueProofResponse = z
  .object({
    dropId: uuid,
    algorithm: z.literal(QUEUE_ALGORITHM),
    seedHash: z.string(),
    seed: z.string().nullable().meta({ description: "hex, revealed once shuffled (null before)" }),
    startsAt: dateTime.meta({ description: "places joined before it are the pre-queue" }),
    shuffledAt: dateTime.nullable(),
    entries: z
      .array(
        z.object({
          pseudonym,
          joinedAt: dateTime,
          left: z.literal(true).optional().meta({
            description:
              "present when the player left after being placed: the admitter passed over it; the replay orders it like any other",
          }),
        }),
      )
      .meta({ description: "every place, in join order" }),
    order: z
      .array(z.string())
      .nullable()
      .meta({ description: "pseudonyms by position (null before the shuffle)" }),
    draw: z
      .object({
        leaf: z.string().meta({ description: "the draw's ledger leaf, 98 bytes in 0x hex" }),
        leafIndex: z
          .number()
          .int()
          .nullable()
          .meta({ description: "its index in the public log; null until sequenced" }),
      })
      .nullable()
      .optional()
      .meta({
        description:
          "the draw's ledger entry, fixing the pre-queue, seed hash and order (null before the shuffle; absent in proofs saved before draws were logged)",
      }),
  })
  .meta({
    id: "QueueProof",
    description: "Replay with npm run queue:replay (docs/waiting-room.md).",
  });

/** A page of the proof: its lists cut to the page, and where the page lies in them. */
export const queueProofPageResponse = queueProofResponse
  .extend({
    page: proofPageSchema,
  })
  .meta({ id: "QueueProofPage" });

const dropPath = z.object({ dropId: uuid });

export const queue: Resource = {
  name: "Waiting room",
  description:
    "A drop's waiting room: join, follow your place, claim with the admission your turn gives; the public proof of the shuffle.",
  paths: {
    "/api/v1/drops/{dropId}/queue": {
      post: {
        summary: "Join the drop's waiting room (once its pre-queue opens)",
        description:
          "200 with the caller's view; joining again answers the same place. A place whose admission expired is replaced by a new one at the back.",
        access: "player",
        path: dropPath,
        replies: { 200: { description: "The caller's place", json: queueViewResponse } },
        errors: {
          not_found: "no such drop, or it has no waiting room",
          queue_not_open: "the pre-queue has not opened (details.opensAt)",
          queue_closed: "the drop ended",
          queue_linked_place: "an account linked to the caller's holds a place (one per group)",
          queue_left_too_often:
            "the caller left this waiting room 3 times and may not join it again (details.leaves)",
          not_eligible: "the caller may not claim this drop (details.reason names the rule)",
        },
      },
      get: {
        summary: "The caller's place: position, people ahead, estimated wait, admission",
        access: "player",
        path: dropPath,
        replies: { 200: { description: "The caller's view", json: queueViewResponse } },
        errors: { not_found: "no such drop, or it has no waiting room" },
      },
      delete: {
        summary: "Leave the drop's waiting room",
        description:
          "200 with the caller's view (not_joined); leaving again changes nothing. Before the draw (or before a later arrival is placed) the entry is removed from the proof; a place already in the order stays in the proof, marked left (left: true), and is passed over. Joining again is a new place at the back; after 3 leaves, joining that room again is refused (queue_left_too_often).",
        access: "player",
        path: dropPath,
        replies: { 200: { description: "The caller's view", json: queueViewResponse } },
        errors: {
          not_found: "no such drop, or it has no waiting room",
          queue_admitted: "the caller was let in: the admission is claimed or runs out",
        },
      },
    },
    "/api/v1/drops/{dropId}/queue/proof": {
      get: {
        summary: "The public proof of the waiting room's order, to replay the shuffle",
        description:
          "Without a query, the whole proof. With after and/or limit, one page: entries after…after+limit−1 and the same stretch of the order (QueueProofPage, with page.next to follow); limit at most 1,000.",
        access: "public",
        path: dropPath,
        query: proofPageQuery,
        replies: {
          200: {
            description: "The proof, or a page of it (then with page)",
            json: queueProofResponse.or(queueProofPageResponse),
          },
        },
        errors: {
          not_found: "no such drop, or it has no waiting room",
          invalid_input: "after or limit is not a whole number in range",
        },
      },
    },
  },
};

export const adminQueue: Resource = {
  name: "Admin: waiting rooms",
  description: "A drop's queue length, admissions and the time to clear; its rate, live.",
  paths: {
    "/api/v1/admin/drops/{id}/queue": {
      get: {
        summary: "A drop's waiting room: length, admitted, rate, time to clear",
        access: "admin",
        path: idPath,
        replies: { 200: { description: "OK", json: queueStatsResponse } },
        errors: { not_found: "no such drop, or it has no waiting room" },
      },
      patch: {
        summary: "Change the admission rate now (audited)",
        access: "admin",
        path: idPath,
        body: setAdmissionRateSchema,
        replies: { 200: { description: "OK", json: queueStatsResponse } },
        errors: { not_found: "no such drop, or it has no waiting room" },
      },
    },
  },
};
