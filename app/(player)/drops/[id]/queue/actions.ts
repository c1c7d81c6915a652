"use server";

import { headers } from "next/headers";
import { z } from "zod";
import { getDb } from "@/db/client";
import type { FormState } from "@/lib/actions/form-state";
import { runAction } from "@/lib/actions/run-action";
import { clientInfo } from "@/lib/http/client-info";
import type { QueueView } from "@/lib/queue/model";
import { joinQueue, leaveQueue } from "@/lib/queue/queue";

// A bound argument comes back from the browser as sent: a hostile client may change it.
const joinRequest = z.object({ dropId: z.uuid({ error: "No such drop" }) });

/** Joins (or leaves) the drop's waiting room for the signed-in player. */
function changePlace(
  dropId: string,
  change: typeof joinQueue,
  verb: "join" | "leave",
): Promise<FormState<QueueView>> {
  return runAction(
    {
      allow: ["player"],
      refused: {
        unauthenticated: `Sign in as a player to ${verb} the queue`,
        forbidden: `Only player accounts can ${verb} the queue`,
      },
      schema: joinRequest,
      input: { dropId },
      fieldOf: () => undefined,
    },
    async ({ user, input }) => ({
      data: await change(getDb(), {
        dropId: input.dropId,
        playerId: user.id,
        // For the audit of a leave.
        ...clientInfo(await headers()),
      }),
    }),
  );
}

/** Joins the drop's waiting room; joining again keeps the place the account holds. */
export async function joinQueueAction(
  dropId: string,
  _prev: FormState<QueueView>,
): Promise<FormState<QueueView>> {
  return changePlace(dropId, joinQueue, "join");
}

/** Leaves the drop's waiting room; leaving again changes nothing. */
export async function leaveQueueAction(
  dropId: string,
  _prev: FormState<QueueView>,
): Promise<FormState<QueueView>> {
  return changePlace(dropId, leaveQueue, "leave");
}
