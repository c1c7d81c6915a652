"use client";

import { DateTime } from "@/components/ui/date-time";
import { TableScroll } from "@/components/ui/table-scroll";
import { usePolled } from "@/components/ui/use-polled";
import type { DropView } from "@/lib/drops/model";

/** The admin's drop list, refreshed every two seconds so remaining counts move as players claim. */
export function LiveDropsTable({
  initial,
  pauseAction,
}: {
  initial: DropView[];
  pauseAction: (dropId: string, paused: boolean) => Promise<void>;
}) {
  const drops = usePolled(
    "/api/v1/admin/drops",
    initial,
    (body) => (body as { drops: DropView[] }).drops,
  );
  if (drops.length === 0) return <p className="card muted">No drops yet.</p>;
  return (
    <TableScroll label="Drops">
      <table>
        <thead>
          <tr>
            <th>Drop</th>
            <th>Prize</th>
            <th>Status</th>
            <th>Remaining</th>
            <th>Window</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
            <th />
          </tr>
        </thead>
        <tbody>
          {drops.map((d) => (
            <tr key={d.id} data-testid="admin-drop-row" data-drop-id={d.id}>
              <td>
                <a href={`/admin/drops/${d.id}`}>{d.title}</a>{" "}
                <a className="small" href={`/drops/${d.id}`}>
                  (player page)
                </a>
                ·{" "}
                <a
                  className="small"
                  href={`/admin/drops/${d.id}/report`}
                  data-testid="drop-report-link"
                >
                  report
                </a>
              </td>
              <td>{d.prize.name}</td>
              <td>
                <span className={`badge ${d.status}`}>{d.status.replace("_", " ")}</span>
              </td>
              <td data-testid="admin-remaining">
                {d.remaining} / {d.units}
              </td>
              <td className="small">
                <DateTime value={d.startsAt} /> → <DateTime value={d.endsAt} />
              </td>
              <td>
                {d.status !== "ended" && (
                  <form action={pauseAction.bind(null, d.id, d.status !== "paused")}>
                    <button type="submit" className="secondary" data-testid="pause-toggle">
                      {d.status === "paused" ? "Resume" : "Pause"}
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
