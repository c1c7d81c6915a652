"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import {
  addExcludedRegion,
  excludedRegionSchema,
  removeExcludedRegion,
  removeRegionSchema,
} from "@/lib/abuse/regions";
import { accountChangeSchema, changeAccount } from "@/lib/admin/accounts";
import { recordEvent } from "@/lib/audit/record-event";
import { currentUser, needsTwoFactor } from "@/lib/auth/current-user";
import { createDrop, createDropSchema, getDrop, setDropPaused } from "@/lib/drops/drops";
import { isAppError } from "@/lib/errors/app-error";
import { countryName } from "@/lib/geo/countries";
import { clientInfo } from "@/lib/http/client-info";
import { createPrize, createPrizeSchema } from "@/lib/prizes/prizes";

export type AdminFormState = {
  ok?: string;
  error?: string;
  fieldErrors?: Record<string, string | undefined>;
  values?: Record<string, string>;
};

function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    // Eligibility rules are nested; their inputs are named after the rule.
    const [head, rule] = issue.path;
    out[String((head === "eligibility" ? rule : head) ?? "form")] ??= issue.message;
  }
  return out;
}

/** The caller if an admin who may act as one: like the admin pages and API, only with two-factor on. */
async function adminOrError() {
  const user = await currentUser();
  return user?.role === "admin" && !needsTwoFactor(user) ? user : undefined;
}

/** Records an admin change with what it was before (null for a creation) and after. */
async function audit(
  actorId: string,
  action: string,
  subject: string,
  change: { before: unknown; after: unknown },
) {
  await recordEvent(getDb(), {
    ...clientInfo(await headers()),
    actorId,
    action,
    subject,
    outcome: "ok",
    data: change,
  });
}

export async function createPrizeAction(
  _prev: AdminFormState,
  form: FormData,
): Promise<AdminFormState> {
  const admin = await adminOrError();
  if (!admin) return { error: "Only admins can create prizes" };
  const values = Object.fromEntries(
    ["name", "kind", "value", "quantity"].map((k) => [k, String(form.get(k) ?? "")]),
  );
  const parsed = createPrizeSchema.safeParse(values);
  if (!parsed.success) return { fieldErrors: fieldErrors(parsed.error), values };
  const prize = await createPrize(getDb(), parsed.data);
  await audit(admin.id, "prize_create", `prize:${prize.id}`, {
    before: null,
    after: parsed.data,
  });
  revalidatePath("/admin");
  return { ok: `Prize “${parsed.data.name}” created` };
}

export async function createDropAction(
  _prev: AdminFormState,
  form: FormData,
): Promise<AdminFormState> {
  const admin = await adminOrError();
  if (!admin) return { error: "Only admins can create drops" };
  const values = Object.fromEntries(
    [
      "title",
      "prizeId",
      "units",
      "startsAt",
      "endsAt",
      "tzOffset",
      "perPlayerLimit",
      "allocation",
      "minAccountAgeDays",
      "minTier",
      "regions",
    ].map((k) => [k, String(form.get(k) ?? "")]),
  );
  // datetime-local inputs carry no zone: the browser sends its offset so times mean what the admin saw.
  const offset = Number(values.tzOffset) || 0;
  const toUtc = (local: string | undefined) =>
    local ? new Date(Date.parse(`${local}Z`) + offset * 60_000) : undefined;
  const regions = (values.regions ?? "")
    .split(/[\s,]+/)
    .map((r) => r.trim())
    .filter(Boolean);
  const parsed = createDropSchema.safeParse({
    ...values,
    startsAt: toUtc(values.startsAt),
    endsAt: toUtc(values.endsAt),
    eligibility: {
      ...(form.get("verifiedEmail") ? { verifiedEmail: true } : {}),
      ...(form.get("notFlagged") ? { notFlagged: true } : {}),
      ...(form.get("onePerGroup") ? { onePerGroup: true } : {}),
      ...(values.minAccountAgeDays ? { minAccountAgeDays: values.minAccountAgeDays } : {}),
      ...(values.minTier && values.minTier !== "bronze" ? { minTier: values.minTier } : {}),
      ...(regions.length > 0 ? { regions } : {}),
    },
  });
  if (!parsed.success) return { fieldErrors: fieldErrors(parsed.error), values };
  try {
    const drop = await createDrop(getDb(), parsed.data);
    await audit(admin.id, "drop_create", `drop:${drop.id}`, {
      before: null,
      after: parsed.data,
    });
  } catch (error) {
    if (isAppError(error) && error.code === "invalid_input") {
      const field = String(error.details?.field ?? "form");
      return { fieldErrors: { [field]: error.message }, values };
    }
    throw error;
  }
  revalidatePath("/admin");
  return { ok: `Drop “${parsed.data.title}” created` };
}

export async function setDropPausedAction(dropId: string, paused: boolean): Promise<void> {
  const admin = await adminOrError();
  if (!admin) throw new Error("Only admins can pause drops");
  if (!z.uuid().safeParse(dropId).success) throw new Error("No such drop");
  const db = getDb();
  const before = await getDrop(db, dropId);
  if (before && (await setDropPaused(db, dropId, paused))) {
    const after = await getDrop(db, dropId);
    // The same record as PATCH /api/v1/admin/drops/{id} writes.
    await audit(admin.id, paused ? "drop_pause" : "drop_resume", `drop:${dropId}`, {
      before: { status: before.status },
      after: { status: after?.status },
    });
  }
  revalidatePath("/admin");
}

/** The change a form asks for: only the fields the form carries. */
function accountChangeFrom(form: FormData) {
  const text = (key: string) => {
    const value = form.get(key);
    return typeof value === "string" ? value : undefined;
  };
  const flag = (key: string) => (text(key) === undefined ? undefined : text(key) === "true");
  return Object.fromEntries(
    Object.entries({
      role: text("role"),
      flagged: flag("flagged"),
      flaggedReason: text("flaggedReason"),
      suspended: flag("suspended"),
      suspendedReason: text("suspendedReason"),
    }).filter(([, value]) => value !== undefined),
  );
}

/** Changes an account's role, flag or suspension; a role change or a suspension needs `confirm`. */
export async function changeAccountAction(
  accountId: string,
  _prev: AdminFormState,
  form: FormData,
): Promise<AdminFormState> {
  const admin = await adminOrError();
  if (!admin) return { error: "Only admins can change accounts" };
  const values = Object.fromEntries(
    ["role", "flaggedReason", "suspendedReason"].map((k) => [k, String(form.get(k) ?? "")]),
  );
  const parsed = accountChangeSchema.safeParse(accountChangeFrom(form));
  if (!parsed.success) return { fieldErrors: fieldErrors(parsed.error), values };
  const destructive = parsed.data.suspended === true || parsed.data.role !== undefined;
  if (destructive && form.get("confirm") !== "on") {
    return { fieldErrors: { confirm: "Tick the box to confirm" }, values };
  }
  try {
    await changeAccount(getDb(), {
      ...clientInfo(await headers()),
      actorId: admin.id,
      accountId,
      change: parsed.data,
    });
  } catch (error) {
    // not_found, own_account, last_admin: said to the admin in words.
    if (isAppError(error) && error.status < 500) {
      return { error: error.message, values };
    }
    throw error;
  }
  revalidatePath(`/admin/accounts/${accountId}`);
  return { ok: "Saved" };
}

/** Excludes a region from every claim and lottery entry (a note says why; audited). */
export async function excludeRegionAction(
  _prev: AdminFormState,
  form: FormData,
): Promise<AdminFormState> {
  const admin = await adminOrError();
  if (!admin) return { error: "Only admins can change the excluded regions" };
  const values = { code: String(form.get("code") ?? ""), note: String(form.get("note") ?? "") };
  const parsed = excludedRegionSchema.safeParse(values);
  if (!parsed.success) return { fieldErrors: fieldErrors(parsed.error), values };
  await addExcludedRegion(getDb(), parsed.data, {
    ...clientInfo(await headers()),
    actorId: admin.id,
  });
  revalidatePath("/admin/regions");
  return { ok: `${countryName(parsed.data.code)} (${parsed.data.code}) is excluded` };
}

/** Opens an excluded region again (a note says why; audited). */
export async function includeRegionAction(
  code: string,
  _prev: AdminFormState,
  form: FormData,
): Promise<AdminFormState> {
  const admin = await adminOrError();
  if (!admin) return { error: "Only admins can change the excluded regions" };
  const parsed = removeRegionSchema.safeParse({ code, note: String(form.get("note") ?? "") });
  if (!parsed.success) return { fieldErrors: fieldErrors(parsed.error) };
  await removeExcludedRegion(getDb(), parsed.data, {
    ...clientInfo(await headers()),
    actorId: admin.id,
  });
  revalidatePath("/admin/regions");
  // The row and its form are gone: the page itself says what happened.
  redirect(`/admin/regions?opened=${parsed.data.code}`);
}
