"use client";

import { useEffect, useState } from "react";
import type { DropView } from "@/lib/drops/drops";

/** The admin's drop list, refreshed every two seconds so remaining counts move as players claim. */
export function LiveDropsTable({ initial }: { initial: DropView[] }) {
  const [drops, setDrops] = useState(initial);
  useEffect(() => {
    const timer = setInterval(async () => {
      try {
        const res = await fetch("/api/v1/admin/drops", { cache: "no-store" });
        if (res.ok) setDrops(((await res.json()) as { drops: DropView[] }).drops);
      } catch {
        // keep the last figures; the next tick retries
      }
    }, 2000);
    return () => clearInterval(timer);
  }, []);
  if (drops.length === 0) return <p className="card muted">No drops yet.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>Drop</th>
          <th>Prize</th>
          <th>Status</th>
          <th>Remaining</th>
          <th>Window (UTC)</th>
        </tr>
      </thead>
      <tbody>
        {drops.map((d) => (
          <tr key={d.id} data-testid="admin-drop-row" data-drop-id={d.id}>
            <td>
              <a href={`/drops/${d.id}`}>{d.title}</a>
            </td>
            <td>{d.prize.name}</td>
            <td>
              <span className={`badge ${d.status}`}>{d.status.replace("_", " ")}</span>
            </td>
            <td data-testid="admin-remaining">
              {d.remaining} / {d.units}
            </td>
            <td className="small">
              {d.startsAt.slice(0, 16).replace("T", " ")} →{" "}
              {d.endsAt.slice(0, 16).replace("T", " ")}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
