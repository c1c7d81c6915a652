/**
 * The admin's drop form read one way, by the server action that saves it and by the browser's
 * preview of it. Browser-safe: no database, no Node.
 */

import { zonedToUtc } from "@/lib/format";
import { knownTimeZone } from "@/lib/locale";

/** The waiting room's inputs: a checkbox and three numbers (absent from forms without them). */
const WAITING_ROOM_FIELDS = [
  "waitingRoom",
  "preQueueMinutes",
  "admissionRatePerMinute",
  "admissionTtlSeconds",
] as const;

const DROP_FIELDS = [
  "title",
  "description",
  "prizeId",
  "units",
  "startsAt",
  "endsAt",
  "tz",
  "perPlayerLimit",
  "allocation",
  "minAccountAgeDays",
  "minTier",
  "regions",
  ...WAITING_ROOM_FIELDS,
];

const ELIGIBILITY_FLAGS = ["verifiedEmail", "notFlagged", "onePerGroup"] as const;

/** A pool row of the form, as typed. */
type DropFormPool = { prizeId: string; units: string; minTier: string };

/** What the form asks for, in the shape createDropSchema and updateDropSchema parse. */
type DropFormInput = {
  title?: string;
  description?: string;
  prizeId?: string;
  units?: string;
  pools?: DropFormPool[];
  /** Invalid Dates when the text is not a time: the schema says so. */
  startsAt?: Date;
  endsAt?: Date;
  perPlayerLimit?: string;
  allocation?: string;
  eligibility?: {
    verifiedEmail?: true;
    notFlagged?: true;
    onePerGroup?: true;
    minAccountAgeDays?: string;
    minTier?: string;
    regions?: string[];
  };
  waitingRoom?: {
    enabled: boolean;
    preQueueMinutes?: string;
    admissionRatePerMinute?: string;
    admissionTtlSeconds?: string;
  };
};

/**
 * What a drop form asks for, in the schema's shape, and its fields as typed (for the form to show
 * again after a refusal). Only the fields the form carries: the form of a started drop carries
 * just its end. Pool rows come as repeated pool* inputs.
 */
export function readDropForm(form: FormData): {
  values: Record<string, string>;
  input: DropFormInput;
} {
  const values = Object.fromEntries(
    DROP_FIELDS.filter((k) => form.has(k)).map((k) => [k, String(form.get(k) ?? "")]),
  );
  // datetime-local inputs carry no zone: the browser sends its own so times mean what the admin
  // saw, each with the offset of its own date (an offset of today is an hour out across summer time).
  const zone = knownTimeZone(values.tz) ?? "UTC";
  const toUtc = (local: string | undefined) => (local ? zonedToUtc(local, zone) : undefined);
  const poolUnits = form.getAll("poolUnits").map(String);
  const poolTiers = form.getAll("poolMinTier").map(String);
  const pools = form
    .getAll("poolPrizeId")
    .map(String)
    .map((prizeId, i) => ({
      prizeId,
      units: poolUnits[i] ?? "",
      minTier: poolTiers[i] || "bronze",
    }));
  if (pools.length > 0) values.pools = JSON.stringify(pools);
  const regions = (values.regions ?? "")
    .split(/[\s,]+/)
    .map((r) => r.trim())
    .filter(Boolean);
  const { title, description, prizeId, units, perPlayerLimit, allocation } = values;
  const input: DropFormInput = Object.fromEntries(
    Object.entries({
      title,
      description,
      prizeId,
      units,
      perPlayerLimit,
      allocation,
      pools: pools.length > 0 ? pools : undefined,
      startsAt: toUtc(values.startsAt),
      endsAt: toUtc(values.endsAt),
    }).filter(([, value]) => value !== undefined),
  );
  // The rules fieldset is on every full form; its checkboxes are absent when unticked.
  if (form.has("minTier")) {
    input.eligibility = {
      ...Object.fromEntries(ELIGIBILITY_FLAGS.filter((f) => form.get(f)).map((f) => [f, true])),
      ...(values.minAccountAgeDays ? { minAccountAgeDays: values.minAccountAgeDays } : {}),
      ...(values.minTier && values.minTier !== "bronze" ? { minTier: values.minTier } : {}),
      ...(regions.length > 0 ? { regions } : {}),
    };
    for (const flag of ELIGIBILITY_FLAGS) if (form.get(flag)) values[flag] = "on";
  }
  // The waiting-room fieldset carries its rate input; its checkbox is absent when unticked.
  if (form.has("admissionRatePerMinute")) {
    const { preQueueMinutes, admissionRatePerMinute, admissionTtlSeconds } = values;
    input.waitingRoom = {
      enabled: form.get("waitingRoom") !== null,
      ...Object.fromEntries(
        Object.entries({ preQueueMinutes, admissionRatePerMinute, admissionTtlSeconds }).filter(
          ([, value]) => value,
        ),
      ),
    };
    if (form.get("waitingRoom") !== null) values.waitingRoom = "on";
  }
  return { values, input };
}

/**
 * The input a refusal belongs beside. Eligibility rules and waiting-room settings are nested;
 * their inputs are named after the rule or setting. Pool rows are numbered: "pools.1.units".
 */
export function dropFieldOf(path: readonly PropertyKey[]): string | undefined {
  const [head, rule, field] = path;
  const key =
    head === "eligibility"
      ? rule
      : head === "waitingRoom" && rule !== undefined && rule !== "enabled"
        ? rule
        : head === "pools" && field !== undefined
          ? `pools.${String(rule)}.${String(field)}`
          : head;
  return key === undefined ? undefined : String(key);
}
