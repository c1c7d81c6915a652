"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { getDb } from "@/db/client";
import { claimContext } from "@/lib/abuse/request-signals";
import type { FormState } from "@/lib/actions/form-state";
import { runAction } from "@/lib/actions/run-action";
import { enterLottery } from "@/lib/lottery/lottery";
import type { LotteryEntryView } from "@/lib/lottery/model";

export async function enterLotteryAction(
  dropId: string,
  _prev: FormState<LotteryEntryView>,
): Promise<FormState<LotteryEntryView>> {
  return runAction(
    {
      allow: ["player"],
      refused: {
        unauthenticated: "Sign in as a player to enter",
        forbidden: "Only player accounts can enter",
      },
    },
    async ({ user }) => {
      const { entry } = await enterLottery(getDb(), {
        dropId,
        playerId: user.id,
        ...(await claimContext(await headers())),
      });
      revalidatePath(`/drops/${dropId}/lottery`);
      return { data: entry };
    },
  );
}
