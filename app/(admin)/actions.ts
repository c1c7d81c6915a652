"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/db/client";
import { excludedRegionSchema, removeRegionSchema } from "@/lib/abuse/model";
import { addExcludedRegion, removeExcludedRegion } from "@/lib/abuse/regions";
import { changeAccount } from "@/lib/admin/manage-accounts";
import { accountChangeSchema } from "@/lib/admin/model";
import { currentUser, needsTwoFactor } from "@/lib/auth/current-user";
import { createDrop, updateDrop } from "@/lib/drops/drops";
import { createDropSchema, type UpdateDropInput, updateDropSchema } from "@/lib/drops/model";
import { isAppError } from "@/lib/errors/app-error";
import { countryName } from "@/lib/geo/model";
import { clientInfo } from "@/lib/http/client-info";
import { createPrizeSchema, updatePrizeSchema } from "@/lib/prizes/model";
import { type AdminActor, createPrize, updatePrize } from "@/lib/prizes/prizes";

export type AdminFormState = {
  ok?: string;
  error?: string;
  fieldErrors?: Record<string, string | undefined>;
  values?: Record<string, string>;
};

function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    // Eligibility rules are nested; their inputs are named after the rule. Pool rows are
    // numbered: "pools.1.units".
    const [head, rule, field] = issue.path;
    const key =
      head === "eligibility"
        ? rule
        : head === "pools" && field !== undefined
          ? `pools.${String(rule)}.${String(field)}`
          : head;
    out[String(key ?? "form")] ??= issue.message;
  }
  return out;
}

/** The caller if an admin who may act as one: like the admin pages and API, only with two-factor on. */
async function adminOrError() {
  const user = await currentUser();
  return user?.role === "admin" && !needsTwoFactor(user) ? user : undefined;
}

/** The admin as the actor of an audited change, with the request's address. */
async function actorOf(admin: { id: string }): Promise<AdminActor> {
  return { ...clientInfo(await headers()), actorId: admin.id };
}

/** A domain refusal (invalid_input on a field, a started drop…) said in words on the form. */
function refusal(error: unknown, values: Record<string, string>): AdminFormState {
  if (isAppError(error) && error.status < 500) {
    const field = error.code === "invalid_input" ? error.details?.field : undefined;
    return field
      ? { fieldErrors: { [String(field)]: error.message }, values }
      : { error: error.message, values };
  }
  throw error;
}

const PRIZE_FIELDS = [
  "name",
  "kind",
  "description",
  "value",
  "quantity",
  "tokenAmount",
  "tokenSymbol",
];

/** The prize fields a form carries; empty token fields are absent (the kind may not have them). */
function prizeFormValues(form: FormData) {
  const values = Object.fromEntries(
    PRIZE_FIELDS.filter((k) => form.has(k)).map((k) => [k, String(form.get(k) ?? "")]),
  );
  const input: Record<string, string> = { ...values };
  if (!input.tokenAmount) delete input.tokenAmount;
  if (!input.tokenSymbol) delete input.tokenSymbol;
  return { values, input };
}

export async function createPrizeAction(
  _prev: AdminFormState,
  form: FormData,
): Promise<AdminFormState> {
  const admin = await adminOrError();
  if (!admin) return { error: "Only admins can create prizes" };
  const { values, input } = prizeFormValues(form);
  const parsed = createPrizeSchema.safeParse(input);
  if (!parsed.success) return { fieldErrors: fieldErrors(parsed.error), values };
  // The form asks for what players will be shown; the API keeps older token-less crypto prizes.
  if (parsed.data.kind === "crypto" && !parsed.data.tokenAmount) {
    return {
      fieldErrors: {
        tokenAmount: "A crypto prize needs the token amount a unit pays out",
        tokenSymbol: parsed.data.tokenSymbol ? undefined : "and the token's symbol",
      },
      values,
    };
  }
  await createPrize(getDb(), parsed.data, await actorOf(admin));
  revalidatePath("/admin");
  return { ok: `Prize “${parsed.data.name}” created` };
}

/** Edits a prize's name, description, value, quantity (not below what drops hold) or token. */
export async function updatePrizeAction(
  prizeId: string,
  _prev: AdminFormState,
  form: FormData,
): Promise<AdminFormState> {
  const admin = await adminOrError();
  if (!admin) return { error: "Only admins can edit prizes" };
  const { values, input } = prizeFormValues(form);
  delete input.kind;
  const parsed = updatePrizeSchema.safeParse(input);
  if (!parsed.success) return { fieldErrors: fieldErrors(parsed.error), values };
  try {
    await updatePrize(getDb(), prizeId, parsed.data, await actorOf(admin));
  } catch (error) {
    return refusal(error, values);
  }
  revalidatePath(`/admin/prizes/${prizeId}`);
  return { ok: "Saved" };
}

/** Retires a prize (no new drop may use it) or brings it back. */
export async function setPrizeRetiredAction(prizeId: string, retired: boolean): Promise<void> {
  const admin = await adminOrError();
  if (!admin) throw new Error("Only admins can retire prizes");
  if (!z.uuid().safeParse(prizeId).success) throw new Error("No such prize");
  await updatePrize(getDb(), prizeId, { retired }, await actorOf(admin));
  revalidatePath(`/admin/prizes/${prizeId}`);
  revalidatePath("/admin/prizes");
}

const DROP_FIELDS = [
  "title",
  "description",
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
];

/**
 * What a drop form asks for, in the schema's shape. Only the fields the form carries: the form
 * of a started drop carries just its end. Pool rows come as repeated pool* inputs.
 */
function dropFormInput(form: FormData) {
  const values = Object.fromEntries(
    DROP_FIELDS.filter((k) => form.has(k)).map((k) => [k, String(form.get(k) ?? "")]),
  );
  // datetime-local inputs carry no zone: the browser sends its offset so times mean what the admin saw.
  const offset = Number(values.tzOffset) || 0;
  const toUtc = (local: string | undefined) =>
    local ? new Date(Date.parse(`${local}Z`) + offset * 60_000) : undefined;
  const poolPrizes = form.getAll("poolPrizeId").map(String);
  const poolUnits = form.getAll("poolUnits").map(String);
  const poolTiers = form.getAll("poolMinTier").map(String);
  const pools = poolPrizes.map((prizeId, i) => ({
    prizeId,
    units: poolUnits[i] ?? "",
    minTier: poolTiers[i] || "bronze",
  }));
  if (pools.length > 0) values.pools = JSON.stringify(pools);
  const regions = (values.regions ?? "")
    .split(/[\s,]+/)
    .map((r) => r.trim())
    .filter(Boolean);
  const input: Record<string, unknown> = {
    ...values,
    ...(pools.length > 0 && { pools }),
    startsAt: toUtc(values.startsAt),
    endsAt: toUtc(values.endsAt),
  };
  delete input.tzOffset;
  delete input.regions;
  delete input.minAccountAgeDays;
  delete input.minTier;
  for (const key of Object.keys(input)) if (input[key] === undefined) delete input[key];
  // The rules fieldset is on every full form; its checkboxes are absent when unticked.
  if (form.has("minTier")) {
    input.eligibility = {
      ...(form.get("verifiedEmail") ? { verifiedEmail: true } : {}),
      ...(form.get("notFlagged") ? { notFlagged: true } : {}),
      ...(form.get("onePerGroup") ? { onePerGroup: true } : {}),
      ...(values.minAccountAgeDays ? { minAccountAgeDays: values.minAccountAgeDays } : {}),
      ...(values.minTier && values.minTier !== "bronze" ? { minTier: values.minTier } : {}),
      ...(regions.length > 0 ? { regions } : {}),
    };
    for (const rule of ["verifiedEmail", "notFlagged", "onePerGroup"]) {
      if (form.get(rule)) values[rule] = "on";
    }
  }
  return { values, input };
}

export async function createDropAction(
  _prev: AdminFormState,
  form: FormData,
): Promise<AdminFormState> {
  const admin = await adminOrError();
  if (!admin) return { error: "Only admins can create drops" };
  const { values, input } = dropFormInput(form);
  const parsed = createDropSchema.safeParse(input);
  if (!parsed.success) return { fieldErrors: fieldErrors(parsed.error), values };
  try {
    await createDrop(getDb(), parsed.data, await actorOf(admin));
  } catch (error) {
    return refusal(error, values);
  }
  revalidatePath("/admin");
  return { ok: `Drop “${parsed.data.title}” created` };
}

/** Edits a drop before its start, or moves a started drop's end later. */
export async function updateDropAction(
  dropId: string,
  _prev: AdminFormState,
  form: FormData,
): Promise<AdminFormState> {
  const admin = await adminOrError();
  if (!admin) return { error: "Only admins can edit drops" };
  const { values, input } = dropFormInput(form);
  delete input.prizeId;
  delete input.units;
  const parsed = updateDropSchema.safeParse(input);
  if (!parsed.success) return { fieldErrors: fieldErrors(parsed.error), values };
  try {
    await updateDrop(getDb(), dropId, parsed.data, await actorOf(admin));
  } catch (error) {
    return refusal(error, values);
  }
  revalidatePath(`/admin/drops/${dropId}`);
  return { ok: "Saved", values };
}

/** Pauses, resumes or (with `confirm` ticked) ends a drop early. */
async function changeDropState(
  dropId: string,
  change: Pick<UpdateDropInput, "paused" | "end">,
): Promise<AdminFormState> {
  const admin = await adminOrError();
  if (!admin) return { error: "Only admins can change drops" };
  if (!z.uuid().safeParse(dropId).success) return { error: "No such drop" };
  try {
    await updateDrop(getDb(), dropId, change, await actorOf(admin));
  } catch (error) {
    return refusal(error, {});
  }
  revalidatePath("/admin");
  revalidatePath(`/admin/drops/${dropId}`);
  return { ok: change.end ? "The drop has ended" : "Saved" };
}

export async function setDropPausedAction(dropId: string, paused: boolean): Promise<void> {
  await changeDropState(dropId, { paused });
}

/** Ends a live drop now; the form must tick `confirm`. */
export async function endDropAction(
  dropId: string,
  _prev: AdminFormState,
  form: FormData,
): Promise<AdminFormState> {
  if (form.get("confirm") !== "on") {
    return { fieldErrors: { confirm: "Tick the box to confirm" } };
  }
  return changeDropState(dropId, { end: true });
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
