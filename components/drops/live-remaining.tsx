"use client";

import { useEffect, useState } from "react";

/** Remaining units of a drop, refreshed from the public API every two seconds. */
export function LiveRemaining({
  dropId,
  initial,
  units,
}: {
  dropId: string;
  initial: number;
  units: number;
}) {
  const remaining = useLiveRemaining(dropId, initial);
  return (
    <div>
      <div className="row">
        <span className="stat" data-testid="remaining">
          {remaining}
        </span>
        <span className="muted">of {units} left</span>
      </div>
      <div className="meter" aria-hidden>
        <div style={{ width: `${(remaining / units) * 100}%` }} />
      </div>
    </div>
  );
}

export function useLiveRemaining(dropId: string, initial: number): number {
  const [remaining, setRemaining] = useState(initial);
  useEffect(() => {
    const refresh = async () => {
      const res = await fetch("/api/v1/drops", { cache: "no-store" });
      if (!res.ok) return;
      const body = (await res.json()) as { drops: Array<{ id: string; remaining: number }> };
      const drop = body.drops.find((d) => d.id === dropId);
      if (drop) setRemaining(drop.remaining);
    };
    const timer = setInterval(() => void refresh().catch(() => {}), 2000);
    return () => clearInterval(timer);
  }, [dropId]);
  return remaining;
}
