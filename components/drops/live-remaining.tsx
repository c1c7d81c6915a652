"use client";

import { usePolled } from "@/components/ui/use-polled";

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
  return <RemainingMeter remaining={useLiveRemaining(dropId, initial)} units={units} />;
}

/** Units left of a drop, in figures and as a bar. */
export function RemainingMeter({ remaining, units }: { remaining: number; units: number }) {
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

function useLiveRemaining(dropId: string, initial: number): number {
  return usePolled(
    "/api/v1/drops",
    initial,
    (body) =>
      (body as { drops: Array<{ id: string; remaining: number }> }).drops.find(
        (d) => d.id === dropId,
      )?.remaining,
  );
}
