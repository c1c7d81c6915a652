"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { getDb } from "@/db/client";
import { claimContext } from "@/lib/abuse/request-signals";
import { currentUser } from "@/lib/auth/current-user";
import { isAppError } from "@/lib/errors/app-error";
import { enterLottery } from "@/lib/lottery/lottery";
import type { LotteryEntryView } from "@/lib/lottery/model";

export type EnterState = { entry?: LotteryEntryView; error?: string; code?: string };

export async function enterLotteryAction(dropId: string, _prev: EnterState): Promise<EnterState> {
  const user = await currentUser();
  if (!user) return { code: "unauthenticated", error: "Sign in as a player to enter" };
  if (user.role !== "player") return { code: "forbidden", error: "Only player accounts can enter" };
  try {
    const { entry } = await enterLottery(getDb(), {
      dropId,
      playerId: user.id,
      ...(await claimContext(await headers())),
    });
    revalidatePath(`/drops/${dropId}/lottery`);
    return { entry };
  } catch (error) {
    if (isAppError(error))
      return { code: String(error.details?.reason ?? error.code), error: error.message };
    throw error;
  }
}
