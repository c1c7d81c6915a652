import type { Metadata } from "next";
import Link from "next/link";
import { DateTime } from "@/components/ui/date-time";
import { getDb } from "@/db/client";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { listWebhookEndpoints } from "@/lib/webhooks/endpoints";
import { CreateWebhookEndpointForm, WebhookEndpointForms } from "./webhook-forms";

export const metadata: Metadata = { title: "Webhooks" };

export default async function WebhooksPage() {
  await requirePageRole("/admin/webhooks", "admin");
  const endpoints = await listWebhookEndpoints(getDb());
  return (
    <>
      <p className="small">
        <Link href="/admin">← Admin</Link>
      </p>
      <h1>Webhooks</h1>
      <p className="muted">
        Operators&apos; endpoints get a signed POST (Standard Webhooks: <code>webhook-id</code>,{" "}
        <code>webhook-timestamp</code>, <code>webhook-signature</code>) for each event they
        subscribe to, retried with backoff for about a day until they answer 2xx.
      </p>
      <h2>Endpoints</h2>
      {endpoints.length === 0 ? (
        <p className="card muted">No endpoint yet.</p>
      ) : (
        endpoints.map((e) => (
          <section key={e.id} className="card stack" data-testid="webhook-endpoint">
            <div className="row">
              <strong className="hash">{e.url}</strong>
              <span className={`badge ${e.enabled ? "live" : "ended"}`}>
                {e.enabled ? "Enabled" : "Disabled"}
              </span>
            </div>
            <p className="small muted">
              {e.eventTypes.join(", ")} · added <DateTime value={e.createdAt} />
              {e.previousSecretUntil && (
                <>
                  {" "}
                  · previous secret signs until <DateTime value={e.previousSecretUntil} />
                </>
              )}
            </p>
            <p>
              <Link href={`/admin/webhooks/${e.id}`}>Deliveries and attempts →</Link>
            </p>
            <WebhookEndpointForms id={e.id} enabled={e.enabled} />
          </section>
        ))
      )}
      <h2>Add an endpoint</h2>
      <CreateWebhookEndpointForm />
    </>
  );
}
