import type { Metadata } from "next";
import Link from "next/link";
import { AuditTable } from "@/components/audit/audit-table";
import { fieldErrorLinks } from "@/components/ui/form-messages";
import { getDb } from "@/db/client";
import { auditFilterSchema, auditPageSchema, outcomes } from "@/lib/audit/model";
import { searchAuditEvents } from "@/lib/audit/search-events";
import { requirePageRole } from "@/lib/auth/require-page-role";
import { localInputToIso } from "@/lib/format";
import { requestViewer } from "@/lib/http/request-viewer";

export const metadata: Metadata = { title: "Audit trail" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const FILTERS = [
  "actor",
  "action",
  "outcome",
  "reason",
  "subject",
  "requestId",
  "ip",
  "from",
  "to",
] as const;

export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  await requirePageRole("/admin/audit", "admin", "auditor");
  const params = await searchParams;
  const raw: Record<string, string> = {};
  for (const key of [...FILTERS, "cursor"]) {
    const value = params[key];
    const text = Array.isArray(value) ? value[0] : value;
    if (text) raw[key] = text;
  }
  // datetime-local inputs carry no zone: the page reads them in the viewer's, and says which.
  const { timeZone } = await requestViewer();
  const filter = auditFilterSchema.safeParse({
    ...raw,
    from: localInputToIso(raw.from, timeZone),
    to: localInputToIso(raw.to, timeZone),
  });
  const page = auditPageSchema.safeParse({ cursor: raw.cursor });
  const result =
    filter.success && page.success
      ? await searchAuditEvents(getDb(), filter.data, page.data)
      : undefined;
  const { cursor: _, ...filterParams } = raw;
  const query = new URLSearchParams(filterParams);
  const csvQuery = new URLSearchParams({
    ...filterParams,
    ...(filter.success && filter.data.from ? { from: filter.data.from.toISOString() } : {}),
    ...(filter.success && filter.data.to ? { to: filter.data.to.toISOString() } : {}),
    format: "csv",
  });
  const problems = filter.success ? [] : filter.error.issues;
  const fields = fieldErrorLinks(
    "audit-filter",
    Object.fromEntries(problems.map((issue) => [String(issue.path[0]), issue.message])),
  );
  return (
    <>
      <h1>Audit trail</h1>
      <p className="lead">
        Every security-relevant action: sign-ins, token use, claim attempts and admin changes with
        what they changed. Each time names its zone; the CSV export's are UTC.
      </p>
      <form
        method="get"
        className="stack wide card"
        aria-label="Filter events"
        style={{ marginBottom: 16 }}
      >
        <label>
          Account (email or id)
          <input {...fields.field("actor")} defaultValue={raw.actor} maxLength={254} />
        </label>
        <label>
          Action
          <input
            {...fields.field("action")}
            defaultValue={raw.action}
            maxLength={64}
            placeholder="account_suspend"
          />
        </label>
        <label>
          Outcome
          <select {...fields.field("outcome")} defaultValue={raw.outcome ?? ""}>
            <option value="">Any</option>
            {outcomes.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <label>
          Reason (code or its start)
          <input
            {...fields.field("reason")}
            defaultValue={raw.reason}
            maxLength={100}
            placeholder="not_eligible"
          />
        </label>
        <label>
          Subject
          <input
            {...fields.field("subject")}
            defaultValue={raw.subject}
            maxLength={200}
            placeholder="user:… or drop:…"
          />
        </label>
        <label>
          Request id
          <input
            {...fields.field("requestId")}
            defaultValue={raw.requestId}
            maxLength={64}
            placeholder="X-Request-Id of an answer"
          />
        </label>
        <label>
          IP address or network
          <input {...fields.field("ip")} defaultValue={raw.ip} maxLength={49} />
        </label>
        <label>
          From ({timeZone})
          <input {...fields.field("from")} type="datetime-local" defaultValue={raw.from} />
        </label>
        <label>
          Until ({timeZone})
          <input {...fields.field("to")} type="datetime-local" defaultValue={raw.to} />
        </label>
        {problems.map((issue) => (
          <p
            key={String(issue.path[0])}
            id={fields.idOf(String(issue.path[0]))}
            className="field-error full"
          >
            {String(issue.path[0])}: {issue.message}
          </p>
        ))}
        <div className="full row">
          <button type="submit">Search</button>
          <Link href="/admin/audit">Clear</Link>
          <span className="spacer" />
          {filter.success && (
            <a
              className="button secondary"
              href={`/api/v1/admin/audit-events?${csvQuery}`}
              download
            >
              Export CSV
            </a>
          )}
        </div>
      </form>
      {result && <AuditTable events={result.events} />}
      <p className="row small">
        {raw.cursor && <Link href={`/admin/audit?${query}`}>← Newest</Link>}
        <span className="spacer" />
        {result?.nextCursor && (
          <Link
            href={`/admin/audit?${new URLSearchParams({ ...filterParams, cursor: String(result.nextCursor) })}`}
          >
            Older →
          </Link>
        )}
      </p>
    </>
  );
}
