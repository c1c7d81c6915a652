"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { currentUser } from "@/lib/auth/current-user";
import { claimDrop } from "@/lib/claims/claim-drop";
import { isAppError } from "@/lib/errors/app-error";
import { clientInfo } from "@/lib/http/client-info";

export type ClaimState = { error?: string; code?: string };

export async function claimAction(dropId: string, _prev: ClaimState): Promise<ClaimState> {
  const user = await currentUser();
  if (!user) return { code: "unauthenticated", error: "Sign in as a player to claim" };
  if (user.role !== "player") return { code: "forbidden", error: "Only player accounts can claim" };
  if (!z.uuid().safeParse(dropId).success) return { code: "not_found", error: "No such drop" };
  let redemptionId: string;
  try {
    const claim = await claimDrop(getDb(), {
      dropId,
      playerId: user.id,
      ...clientInfo(await headers()),
    });
    redemptionId = claim.redemptionId;
  } catch (error) {
    if (isAppError(error)) return { code: error.code, error: error.message };
    throw error;
  }
  redirect(`/redemptions/${redemptionId}?claimed=1`);
}
