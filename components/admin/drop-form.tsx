"use client";

import { useEffect, useRef, useState } from "react";
import { type DropDetailsData, DropFacts, DropHeading } from "@/components/drops/drop-details";
import { useViewerZone } from "@/components/ui/date-time";
import { useFieldErrors } from "@/components/ui/form-messages";
import type { FormAction } from "@/lib/actions/form-state";
import { minTierLabels, type LoyaltyTier as Tier } from "@/lib/claims/model";
import { readDropForm } from "@/lib/drops/drop-form";
import {
  allocationLabels,
  type DropPrize,
  type DropView,
  type EligibilityRules,
} from "@/lib/drops/model";
import type { WaitingRoomSettings } from "@/lib/queue/model";
import { useNumberedActionState } from "./drop-form-state";
import { WaitingRoomFields } from "./waiting-room-fields";
export type PrizeChoice = DropPrize & { unallocated: number };
type PoolRow = { key: number; prizeId: string; units: string; minTier: Tier };

/** The value of a datetime-local input showing `date` in the browser's zone. */
export function localInput(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

/** The browser's time zone, sent with the form: datetime-local values carry none. */
export function ZoneInput() {
  return <input type="hidden" name="tz" value={useViewerZone()} />;
}

let nextKey = 1;

function poolRowsFrom(values: Record<string, string>, drop?: DropView): PoolRow[] {
  if (values.pools) {
    const saved = JSON.parse(values.pools) as Array<Omit<PoolRow, "key">>;
    return saved.map((p) => ({ ...p, key: nextKey++ }));
  }
  if (drop) {
    return drop.pools.map((p) => ({
      key: nextKey++,
      prizeId: p.prize.id,
      units: String(p.units),
      minTier: p.minTier,
    }));
  }
  return [{ key: nextKey++, prizeId: "", units: "", minTier: "bronze" }];
}

/** What a player would see of the form as it stands, read as the server reads it, for the preview. */
function draftFrom(form: HTMLFormElement, prizes: PrizeChoice[]): DropDetailsData {
  const { input } = readDropForm(new FormData(form));
  const prizeById = (id: string): DropPrize =>
    prizes.find((p) => p.id === id) ?? {
      id,
      name: "(no prize chosen)",
      kind: "physical",
      valueCents: 0,
      description: null,
      tokenAmount: null,
      tokenSymbol: null,
    };
  const pools = (input.pools ?? []).map((pool, i) => ({
    id: `preview-${i}`,
    prize: prizeById(pool.prizeId),
    units: Number(pool.units) || 0,
    minTier: pool.minTier as Tier,
  }));
  // A time not yet typed (or not a time) previews as now.
  const when = (date: Date | undefined) =>
    date && !Number.isNaN(date.getTime()) ? date.toISOString() : new Date().toISOString();
  const rules = input.eligibility ?? {};
  const minAccountAgeDays = Number(rules.minAccountAgeDays);
  const eligibility: EligibilityRules = {
    ...(rules.verifiedEmail ? { verifiedEmail: true } : {}),
    ...(rules.notFlagged ? { notFlagged: true } : {}),
    ...(rules.onePerGroup ? { onePerGroup: true } : {}),
    ...(minAccountAgeDays > 0 ? { minAccountAgeDays } : {}),
    ...(rules.minTier ? { minTier: rules.minTier as Tier } : {}),
    ...(rules.regions ? { regions: rules.regions.map((r) => r.toUpperCase()) } : {}),
  };
  const headline = pools[0]?.prize ?? prizeById("");
  return {
    title: input.title || "(untitled drop)",
    description: input.description || null,
    prize: headline,
    pools:
      pools.length > 0 ? pools : [{ id: "preview", prize: headline, units: 0, minTier: "bronze" }],
    units: pools.reduce((n, p) => n + p.units, 0),
    startsAt: when(input.startsAt),
    endsAt: when(input.endsAt),
    perPlayerLimit: Number(input.perPlayerLimit) || 1,
    eligibility,
    status: "upcoming",
    endedEarlyAt: null,
  };
}

/** Marks what follows as a preview, not the live page. */
export function DropPreview({ drop, allocation }: { drop: DropDetailsData; allocation: string }) {
  return (
    <section className="preview" data-testid="drop-preview" aria-label="Preview">
      <p className="alert info">
        <strong>Preview</strong> — what a player will see on the drop's page. Nothing is saved by
        previewing.
      </p>
      <DropHeading drop={drop} />
      <div className="grid two">
        <DropFacts
          drop={drop}
          remaining={
            <p style={{ margin: 0 }}>
              <strong>{drop.units}</strong> units
            </p>
          }
        />
        <div className="card">
          <p className="muted">
            {allocation === "lottery"
              ? "Players enter the draw here; the winners are drawn when the drop ends."
              : "Players claim here once the drop starts: first come, first served."}
          </p>
        </div>
      </div>
    </section>
  );
}

/**
 * Creates a drop, or edits one before its start (given `drop` and its bound update action).
 * Pool rows can be added and removed; each takes units of one prize, optionally for a tier.
 */
export function DropForm({
  prizes,
  drop,
  waitingRoom = null,
  waitingRoomThreshold,
  action: save,
}: {
  prizes: PrizeChoice[];
  drop?: DropView;
  /** The drop's waiting room as saved; none for a new drop. */
  waitingRoom?: WaitingRoomSettings | null;
  /** From how many units a first-come drop has a waiting room unless the admin says otherwise. */
  waitingRoomThreshold: number;
  /** Creates a drop, or (bound to `drop`) saves its changes. */
  action: FormAction;
}) {
  const [state, action, pending, submission] = useNumberedActionState(save);
  const [defaults, setDefaults] = useState<{ start: string; end: string } | null>(null);
  useEffect(() => {
    const start = drop ? new Date(drop.startsAt) : new Date(Date.now() + 5 * 60_000);
    const end = drop ? new Date(drop.endsAt) : new Date(start.getTime() + 86_400_000);
    setDefaults({ start: localInput(start), end: localInput(end) });
  }, [drop]);
  const e = state.fieldErrors ?? {};
  const fields = useFieldErrors(e);
  const v = state.values ?? {};
  const [pools, setPools] = useState<PoolRow[]>(() => poolRowsFrom(v, drop));
  // A refused submission comes back with what was typed: show those rows again.
  useEffect(() => {
    if (state.values?.pools) setPools(poolRowsFrom(state.values));
    else if (state.notice && !drop) setPools(poolRowsFrom({}));
  }, [state, drop]);
  const formRef = useRef<HTMLFormElement>(null);
  const [preview, setPreview] = useState<DropDetailsData | null>(null);
  const [allocation, setAllocation] = useState(v.allocation ?? drop?.allocation ?? "first_come");
  const rules = drop?.eligibility ?? {};
  const ruleChecked = (rule: "verifiedEmail" | "notFlagged" | "onePerGroup") =>
    state.values ? v[rule] === "on" : Boolean(rules[rule]);
  const setPool = (key: number, change: Partial<PoolRow>) =>
    setPools((rows) => rows.map((r) => (r.key === key ? { ...r, ...change } : r)));
  return (
    <>
      <form
        ref={formRef}
        action={action}
        className="stack wide"
        noValidate
        key={`${submission}-${defaults?.start}`}
        data-testid="drop-form"
      >
        {state.notice && <p className="alert success full">{state.notice}</p>}
        {state.error && <p className="alert error full">{state.error}</p>}
        <ZoneInput />
        <label className="full">
          Title
          <input {...fields.field("title")} defaultValue={v.title ?? drop?.title} maxLength={120} />
          {fields.error("title")}
        </label>
        <label className="full">
          Description shown to players (optional)
          <textarea
            {...fields.field("description")}
            defaultValue={v.description ?? drop?.description ?? ""}
            maxLength={2000}
          />
          {fields.error("description")}
        </label>
        <fieldset className="full" style={{ border: "1px solid var(--line)", borderRadius: 10 }}>
          <legend>Pools</legend>
          <p className="small muted" style={{ marginTop: 0 }}>
            Each pool takes units of one prize from its unallocated stock. A pool reserved for a
            tier is claimed only by players of that tier or above.
          </p>
          {pools.map((pool, i) => (
            <div
              className="row"
              key={pool.key}
              data-testid="pool-row"
              style={{ borderBottom: "1px solid var(--line)", paddingBottom: 8, marginBottom: 8 }}
            >
              <label>
                Prize
                <select
                  name="poolPrizeId"
                  value={pool.prizeId}
                  {...fields.describe(`pools.${i}.prizeId`)}
                  onChange={(event) => setPool(pool.key, { prizeId: event.target.value })}
                >
                  <option value="">Choose a prize</option>
                  {prizes.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name} ({p.unallocated} unallocated)
                    </option>
                  ))}
                </select>
                {fields.error(`pools.${i}.prizeId`)}
              </label>
              <label>
                Units
                <input
                  name="poolUnits"
                  inputMode="numeric"
                  {...fields.describe(`pools.${i}.units`)}
                  value={pool.units}
                  onChange={(event) => setPool(pool.key, { units: event.target.value })}
                />
                {fields.error(`pools.${i}.units`)}
              </label>
              <label>
                For
                <select
                  name="poolMinTier"
                  value={pool.minTier}
                  onChange={(event) => setPool(pool.key, { minTier: event.target.value as Tier })}
                >
                  {Object.entries(minTierLabels).map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </select>
              </label>
              {pools.length > 1 && (
                <button
                  type="button"
                  className="secondary"
                  onClick={() => setPools((rows) => rows.filter((r) => r.key !== pool.key))}
                >
                  Remove pool
                </button>
              )}
            </div>
          ))}
          {pools.length < 10 && (
            <button
              type="button"
              className="secondary"
              onClick={() =>
                setPools((rows) => [
                  ...rows,
                  { key: nextKey++, prizeId: "", units: "", minTier: "bronze" },
                ])
              }
            >
              Add pool
            </button>
          )}
          {(e.pools || e.prizeId || e.units) && (
            <span className="field-error" id={fields.idOf("pools")}>
              {e.pools ?? e.prizeId ?? e.units}
            </span>
          )}
        </fieldset>
        <label>
          Starts (your local time)
          <input
            {...fields.field("startsAt")}
            type="datetime-local"
            defaultValue={v.startsAt ?? defaults?.start}
          />
          {fields.error("startsAt")}
        </label>
        <label>
          Ends (your local time)
          <input
            {...fields.field("endsAt")}
            type="datetime-local"
            defaultValue={v.endsAt ?? defaults?.end}
          />
          {fields.error("endsAt")}
        </label>
        <label>
          Units per player
          <input
            {...fields.field("perPlayerLimit")}
            inputMode="numeric"
            defaultValue={v.perPlayerLimit ?? String(drop?.perPlayerLimit ?? 1)}
          />
          {fields.error("perPlayerLimit")}
        </label>
        <label>
          Allocation
          <select
            {...fields.field("allocation")}
            value={allocation}
            onChange={(event) => setAllocation(event.target.value)}
          >
            {Object.entries(allocationLabels).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          {fields.error("allocation")}
        </label>
        <fieldset className="full" style={{ border: "1px solid var(--line)", borderRadius: 10 }}>
          <legend>Who can claim</legend>
          <div className="rules-grid">
            <label>
              Minimum account age (days)
              <input
                {...fields.field("minAccountAgeDays")}
                inputMode="numeric"
                defaultValue={v.minAccountAgeDays ?? rules.minAccountAgeDays}
              />
              {fields.error("minAccountAgeDays")}
            </label>
            <label>
              Minimum loyalty tier
              <select name="minTier" defaultValue={v.minTier ?? rules.minTier ?? "bronze"}>
                {Object.entries(minTierLabels).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            <label className="wide-field">
              Allowed regions (two-letter codes, comma-separated; empty for all)
              <input
                {...fields.field("regions")}
                defaultValue={v.regions ?? rules.regions?.join(", ")}
                placeholder="US, CA"
              />
              {fields.error("regions")}
            </label>
            <label className="row" style={{ display: "flex" }}>
              <input
                type="checkbox"
                name="verifiedEmail"
                defaultChecked={ruleChecked("verifiedEmail")}
              />{" "}
              Verified email required
            </label>
            <label className="row" style={{ display: "flex" }}>
              <input type="checkbox" name="notFlagged" defaultChecked={ruleChecked("notFlagged")} />{" "}
              Not for flagged accounts
            </label>
            <label className="row" style={{ display: "flex" }}>
              <input
                type="checkbox"
                name="onePerGroup"
                defaultChecked={ruleChecked("onePerGroup")}
              />{" "}
              One claim per linked-account group
            </label>
          </div>
        </fieldset>
        {allocation === "first_come" && (
          <WaitingRoomFields
            saved={waitingRoom}
            typed={state.values}
            units={pools.reduce((n, p) => n + (Number(p.units) || 0), 0)}
            threshold={waitingRoomThreshold}
            fields={fields}
          />
        )}
        <div className="full row">
          <button type="submit" disabled={pending || prizes.length === 0}>
            {pending ? "Saving…" : drop ? "Save changes" : "Create drop"}
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => formRef.current && setPreview(draftFrom(formRef.current, prizes))}
          >
            Preview
          </button>
        </div>
      </form>
      {preview && <DropPreview drop={preview} allocation={allocation} />}
    </>
  );
}
