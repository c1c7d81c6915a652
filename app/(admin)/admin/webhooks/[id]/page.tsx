import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DateTime } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { findWebhookEndpoint, listWebhookDeliveries } from "@/lib/webhooks/endpoints";
import type { WebhookDeliveryState } from "@/lib/webhooks/model";
import { ReplayWebhookForm } from "../webhook-forms";

export const metadata: Metadata = { title: "Webhook deliveries" };

const stateBadge: Record<WebhookDeliveryState, string> = {
  pending: "pending",
  failed: "upcoming",
  delivered: "live",
  dead: "ended",
};

export default async function WebhookDeliveriesPage({
  params,
}: {
  params: Promise<{ id: string }>;
}) {
  const { id } = await params;
  await requirePageRole(`/admin/webhooks/${id}`, "admin");
  const db = getDb();
  const endpoint = await findWebhookEndpoint(db, id);
  if (!endpoint) notFound();
  const deliveries = await listWebhookDeliveries(db, id);
  return (
    <>
      <p className="small">
        <Link href="/admin/webhooks">← Webhooks</Link>
      </p>
      <h1>Deliveries</h1>
      <p className="hash">{endpoint.url}</p>
      <p className="small muted">
        The 50 most recent, newest first. A replay sends the same event again with the same{" "}
        <code>webhook-id</code>. <Link href={`/admin/webhooks/${id}`}>Refresh</Link>
      </p>
      {deliveries.length === 0 ? (
        <p className="card muted">Nothing sent to this endpoint yet.</p>
      ) : (
        deliveries.map((d) => (
          <section key={d.id} className="card stack" data-testid="webhook-delivery">
            <div className="row">
              <code>{d.type}</code>
              <span className={`badge ${stateBadge[d.state]}`}>{d.state}</span>
              <span className="spacer" />
              <ReplayWebhookForm deliveryId={d.id} />
            </div>
            <p className="small muted">
              <span className="hash">{d.eventId}</span> · <DateTime value={d.createdAt} />
            </p>
            {d.attempts.length === 0 ? (
              <p className="small muted">No attempt yet.</p>
            ) : (
              <div className="table-scroll">
                <table>
                  <thead>
                    <tr>
                      <th>Attempt</th>
                      <th>At</th>
                      <th>Answer</th>
                      <th>Time</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.attempts.map((a, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: attempts are only ever appended
                      <tr key={i} data-testid="webhook-attempt">
                        <td>
                          {i + 1}
                          {a.replay && <span className="badge">replay</span>}
                        </td>
                        <td className="small">
                          <DateTime value={a.at} />
                        </td>
                        <td>{a.statusCode ?? a.error}</td>
                        <td className="small">{a.durationMs} ms</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <details>
              <summary className="small">Payload</summary>
              <pre className="small">{JSON.stringify(d.payload, null, 2)}</pre>
            </details>
          </section>
        ))
      )}
    </>
  );
}
