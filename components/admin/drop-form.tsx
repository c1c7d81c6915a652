"use client";

import { useActionState, useEffect, useState } from "react";
import { type AdminFormState, createDropAction } from "@/app/(admin)/actions";

function localInput(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

export function DropForm({
  prizes,
}: {
  prizes: Array<{ id: string; name: string; unallocated: number }>;
}) {
  const [state, action, pending] = useActionState<AdminFormState, FormData>(createDropAction, {});
  const [tzOffset, setTzOffset] = useState("0");
  const [defaults, setDefaults] = useState<{ start: string; end: string } | null>(null);
  useEffect(() => {
    setTzOffset(String(new Date().getTimezoneOffset()));
    const start = new Date(Date.now() + 5 * 60_000);
    setDefaults({
      start: localInput(start),
      end: localInput(new Date(start.getTime() + 86_400_000)),
    });
  }, []);
  const e = state.fieldErrors ?? {};
  const v = state.values ?? {};
  return (
    <form action={action} className="stack wide" noValidate key={`${state.ok}-${defaults?.start}`}>
      {state.ok && <p className="alert success full">{state.ok}</p>}
      {state.error && <p className="alert error full">{state.error}</p>}
      <input type="hidden" name="tzOffset" value={tzOffset} />
      <label className="full">
        Title
        <input name="title" defaultValue={v.title} maxLength={120} />
        {e.title && <span className="field-error">{e.title}</span>}
      </label>
      <label>
        Prize
        <select name="prizeId" defaultValue={v.prizeId}>
          {prizes.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} ({p.unallocated} unallocated)
            </option>
          ))}
        </select>
        {e.prizeId && <span className="field-error">{e.prizeId}</span>}
      </label>
      <label>
        Units
        <input name="units" inputMode="numeric" defaultValue={v.units} />
        {e.units && <span className="field-error">{e.units}</span>}
      </label>
      <label>
        Starts (your local time)
        <input name="startsAt" type="datetime-local" defaultValue={v.startsAt ?? defaults?.start} />
        {e.startsAt && <span className="field-error">{e.startsAt}</span>}
      </label>
      <label>
        Ends (your local time)
        <input name="endsAt" type="datetime-local" defaultValue={v.endsAt ?? defaults?.end} />
        {e.endsAt && <span className="field-error">{e.endsAt}</span>}
      </label>
      <label>
        Units per player
        <input name="perPlayerLimit" inputMode="numeric" defaultValue={v.perPlayerLimit ?? "1"} />
        {e.perPlayerLimit && <span className="field-error">{e.perPlayerLimit}</span>}
      </label>
      <label>
        Allocation
        <select name="allocation" defaultValue={v.allocation ?? "first_come"}>
          <option value="first_come">First come, first served</option>
          <option value="lottery">Weighted lottery (drawn at the end)</option>
        </select>
        {e.allocation && <span className="field-error">{e.allocation}</span>}
      </label>
      <fieldset className="full" style={{ border: "1px solid var(--line)", borderRadius: 10 }}>
        <legend>Who can claim</legend>
        <div className="rules-grid">
          <label>
            Minimum account age (days)
            <input
              name="minAccountAgeDays"
              inputMode="numeric"
              defaultValue={v.minAccountAgeDays}
            />
            {e.minAccountAgeDays && <span className="field-error">{e.minAccountAgeDays}</span>}
          </label>
          <label>
            Minimum loyalty tier
            <select name="minTier" defaultValue={v.minTier ?? "bronze"}>
              <option value="bronze">Any (bronze and up)</option>
              <option value="silver">Silver and up</option>
              <option value="gold">Gold only</option>
            </select>
          </label>
          <label className="wide-field">
            Allowed regions (two-letter codes, comma-separated; empty for all)
            <input name="regions" defaultValue={v.regions} placeholder="US, CA" />
            {e.regions && <span className="field-error">{e.regions}</span>}
          </label>
          <label className="row" style={{ display: "flex" }}>
            <input type="checkbox" name="verifiedEmail" /> Verified email required
          </label>
          <label className="row" style={{ display: "flex" }}>
            <input type="checkbox" name="notFlagged" /> Not for flagged accounts
          </label>
          <label className="row" style={{ display: "flex" }}>
            <input type="checkbox" name="onePerGroup" /> One claim per linked-account group
          </label>
        </div>
      </fieldset>
      <div className="full">
        <button type="submit" disabled={pending || prizes.length === 0}>
          {pending ? "Creating…" : "Create drop"}
        </button>
      </div>
    </form>
  );
}
