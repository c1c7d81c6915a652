"use server";

import { z } from "zod";
import { getDb } from "@/db/client";
import type { FormState } from "@/lib/actions/form-state";
import { runAction } from "@/lib/actions/run-action";
import type { QueueView } from "@/lib/queue/model";
import { joinQueue } from "@/lib/queue/queue";

// A bound argument comes back from the browser as sent: a hostile client may change it.
const joinRequest = z.object({ dropId: z.uuid({ error: "No such drop" }) });

/** Joins the drop's waiting room; joining again keeps the place the account holds. */
export async function joinQueueAction(
  dropId: string,
  _prev: FormState<QueueView>,
): Promise<FormState<QueueView>> {
  return runAction(
    {
      allow: ["player"],
      refused: {
        unauthenticated: "Sign in as a player to join the queue",
        forbidden: "Only player accounts can join the queue",
      },
      schema: joinRequest,
      input: { dropId },
      fieldOf: () => undefined,
    },
    async ({ user, input }) => ({
      data: await joinQueue(getDb(), { dropId: input.dropId, playerId: user.id }),
    }),
  );
}
