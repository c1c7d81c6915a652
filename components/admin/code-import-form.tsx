"use client";

import { useActionState, useState } from "react";
import { useFieldErrors } from "@/components/ui/form-messages";
import { TableScroll } from "@/components/ui/table-scroll";
import type { FormAction, FormState } from "@/lib/actions/form-state";
import {
  type ImportSummary,
  MAX_CSV_BYTES,
  MAX_CSV_CODES,
  rejectionReasonLabels,
} from "@/lib/codes/model";

/** Uploads or pastes a CSV of gift codes into a prize's pool and shows what was taken. */
export function CodeImportForm({ action: importCodes }: { action: FormAction<ImportSummary> }) {
  const [state, action, pending] = useActionState<FormState<ImportSummary>, FormData>(
    importCodes,
    {},
  );
  const [tooLarge, setTooLarge] = useState(false);
  const csvError = tooLarge ? "The file is larger than 2 MB: split it" : state.fieldErrors?.csv;
  // One message for both inputs: the file and the pasted codes are the same CSV.
  const fields = useFieldErrors({ csv: csvError });
  return (
    <>
      <form action={action} className="stack" noValidate>
        {state.error && <p className="alert error">{state.error}</p>}
        <label>
          CSV file
          <input
            type="file"
            name="file"
            accept=".csv,text/csv"
            {...fields.describe("csv")}
            onChange={(event) => setTooLarge((event.target.files?.[0]?.size ?? 0) > MAX_CSV_BYTES)}
          />
        </label>
        <label>
          Or paste codes, one a line
          <textarea
            {...fields.field("csv")}
            spellCheck={false}
            placeholder={"code\nABCD-1234-EFGH-5678"}
          />
        </label>
        {fields.error("csv")}
        <p className="small muted">
          One code a line, optionally under a <code>code</code> header: 4 to 64 letters, digits and
          dashes. At most {MAX_CSV_CODES.toLocaleString("en-US")} lines and 2 MB a file.
        </p>
        <div>
          <button type="submit" disabled={pending || tooLarge}>
            {pending ? "Importing…" : "Import codes"}
          </button>
        </div>
      </form>
      {state.data && <ImportReportView report={state.data} />}
    </>
  );
}

function ImportReportView({ report }: { report: ImportSummary }) {
  const hidden = report.rejectedCount - report.rejected.length;
  return (
    <section data-testid="code-import-report">
      <p className={`alert ${report.accepted > 0 ? "success" : "info"}`}>
        <span data-testid="accepted-count">{report.accepted}</span> of {report.total}{" "}
        {report.total === 1 ? "code" : "codes"} imported
        {report.rejectedCount > 0 && `; ${report.rejectedCount} rejected`}
      </p>
      {report.rejected.length > 0 && (
        <TableScroll label="Import result">
          <table>
            <thead>
              <tr>
                <th>Line</th>
                <th>Code</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {report.rejected.map((r) => (
                <tr key={r.line} data-testid="rejected-row">
                  <td>{r.line}</td>
                  <td className="mono">{r.code ?? "—"}</td>
                  <td>
                    {r.firstLine
                      ? `Repeats line ${r.firstLine} of this file`
                      : rejectionReasonLabels[r.reason]}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {hidden > 0 && (
        <p className="small muted">
          … and {hidden.toLocaleString("en-US")} more rejected lines not shown.
        </p>
      )}
    </section>
  );
}
