import type { Metadata } from "next";
import Link from "next/link";
import {
  cancelJobAction,
  retryDeliveryAction,
  retryJobAction,
} from "@/app/(admin)/admin/jobs/actions";
import { ActionNotices } from "@/components/admin/action-notices";
import { DeliveryStatusBadge } from "@/components/admin/delivery-status-badge";
import { JobActionButton } from "@/components/admin/job-action-button";
import { LiveDeliveries } from "@/components/admin/live-deliveries";
import { DateTime } from "@/components/ui/date-time";
import { TableScroll } from "@/components/ui/table-scroll";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { listTroubledDeliveries } from "@/lib/delivery/admin-deliveries";
import { readDeliveriesPulse } from "@/lib/delivery/admin-live";
import { type AdminJob, countJobs, listJobs } from "@/lib/jobs/manage-jobs";

export const metadata: Metadata = { title: "Jobs and deliveries" };

/** A cell's lines one under the other, its buttons at their own width. */
const stacked = { display: "grid", gap: 8, justifyItems: "start" } as const;

/** What a job is about, in a few words: the redemption of a delivery, or its data. */
function describeJob(job: AdminJob) {
  const redemptionId = (job.data as { redemptionId?: unknown } | null)?.redemptionId;
  if (typeof redemptionId === "string") {
    return (
      <Link href={`/admin/redemptions/${redemptionId}`}>redemption {redemptionId.slice(0, 8)}</Link>
    );
  }
  return <code>{JSON.stringify(job.data ?? {}).slice(0, 80)}</code>;
}

export default async function JobsPage() {
  await requirePageRole("/admin/jobs", "admin");
  const db = getDb();
  const [queues, jobs, deliveries, pulse] = await Promise.all([
    countJobs(db),
    listJobs(db),
    listTroubledDeliveries(db),
    readDeliveriesPulse(db),
  ]);
  return (
    <>
      <LiveDeliveries pulse={pulse} />
      <p className="small">
        <Link href="/admin">← Admin</Link>
      </p>
      <h1>Jobs and deliveries</h1>
      <ActionNotices />
      <h2>Deliveries that need an eye</h2>
      {deliveries.length === 0 ? (
        <p className="card muted">No delivery is dead or failing.</p>
      ) : (
        <TableScroll label="Dead and failed deliveries">
          <table aria-label="Dead and failed deliveries">
            <thead>
              <tr>
                <th>Redemption</th>
                <th>Status</th>
                <th>Last error</th>
                <th>Attempts</th>
                <th>Provider</th>
                <th>Changed</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <tr key={d.redemptionId} data-testid="troubled-delivery">
                  {/* The action sits under the name: on a phone the first column is the one in view. */}
                  <td>
                    <div style={stacked}>
                      <span>
                        <Link href={`/admin/redemptions/${d.redemptionId}`}>{d.prizeName}</Link>
                        <span className="small muted" style={{ display: "block" }}>
                          {d.playerEmail}
                        </span>
                      </span>
                      {d.status === "dead" ? (
                        <JobActionButton
                          action={retryDeliveryAction.bind(null, d.redemptionId)}
                          label="Retry delivery"
                          pendingLabel="Retrying…"
                        />
                      ) : (
                        <span className="small muted">retrying by itself</span>
                      )}
                    </div>
                  </td>
                  <td>
                    <DeliveryStatusBadge status={d.status} />
                  </td>
                  <td className="small">
                    {d.lastErrorCode && <code>{d.lastErrorCode}</code>} {d.lastError}
                  </td>
                  <td>{d.attempts}</td>
                  <td>{d.provider}</td>
                  <td className="small">
                    <DateTime value={d.updatedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <p className="small muted">
        A dead delivery is retried here, or reversed from its redemption&apos;s page.
      </p>
      <h2>Queues</h2>
      <TableScroll label="Queues">
        <table aria-label="Queues">
          <thead>
            <tr>
              <th>Queue</th>
              <th>Pending</th>
              <th>Retrying</th>
              <th>Running</th>
              <th>Dead</th>
            </tr>
          </thead>
          <tbody>
            {queues.map((q) => (
              <tr key={q.queue} data-testid={`queue-${q.queue}`}>
                <td>{q.queue}</td>
                <td>{q.pending}</td>
                <td>{q.retrying}</td>
                <td>{q.active}</td>
                <td>{q.dead}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <h2>Jobs not yet done</h2>
      {jobs.length === 0 ? (
        <p className="card muted">Every queue is empty.</p>
      ) : (
        <TableScroll label="Jobs">
          <table aria-label="Jobs">
            <thead>
              <tr>
                <th>Job</th>
                <th>About</th>
                <th>Last error</th>
                <th>Tries</th>
                <th>Next try</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => (
                <tr key={job.id} data-testid="job" data-state={job.state}>
                  <td>
                    <div style={stacked}>
                      <span>
                        {job.queue}{" "}
                        <span className={`badge ${job.state === "dead" ? "ended" : "pending"}`}>
                          {job.state}
                        </span>
                      </span>
                      <div className="row">
                        {job.state === "dead" && (
                          <JobActionButton
                            action={retryJobAction.bind(null, job.queue, job.id)}
                            label="Retry"
                            pendingLabel="Retrying…"
                          />
                        )}
                        {job.state !== "active" && (
                          <JobActionButton
                            action={cancelJobAction.bind(null, job.queue, job.id)}
                            label={job.state === "dead" ? "Dismiss" : "Cancel"}
                            pendingLabel="Cancelling…"
                            secondary
                          />
                        )}
                      </div>
                    </div>
                  </td>
                  <td className="small">{describeJob(job)}</td>
                  <td className="small">{job.lastError ?? "—"}</td>
                  <td>
                    {job.retryLimit === null
                      ? job.retryCount
                      : `${job.retryCount}/${job.retryLimit}`}
                  </td>
                  <td className="small">
                    {job.state === "dead" ? "—" : <DateTime value={job.startAfter} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </>
  );
}
