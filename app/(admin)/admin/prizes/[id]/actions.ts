"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { getDb } from "@/db/client";
import type { FormState } from "@/lib/actions/form-state";
import { runAction } from "@/lib/actions/run-action";
import { importGiftCodes } from "@/lib/codes/import-codes";
import type { ImportSummary } from "@/lib/codes/model";
import { clientInfo } from "@/lib/http/client-info";

/** The rejected lines the page lists; the count covers them all. */
const REJECTIONS_SHOWN = 500;

async function csvFrom(form: FormData): Promise<string> {
  const file = form.get("file");
  if (file instanceof File && file.size > 0) return file.text();
  return String(form.get("csv") ?? "");
}

const codeImport = z.object({
  csv: z.string().refine((csv) => csv.trim() !== "", "Choose a CSV file or paste codes"),
});

export async function importCodesAction(
  prizeId: string,
  _prev: FormState<ImportSummary>,
  form: FormData,
): Promise<FormState<ImportSummary>> {
  return runAction(
    {
      allow: ["admin"],
      refused: "Only admins with two-factor on can import gift codes",
      schema: codeImport,
      input: async () => ({ csv: await csvFrom(form) }),
      // The prize is the page's, not a field: a refusal about it is said atop the form.
      fieldOf: (path) => (path[0] === "csv" ? "csv" : undefined),
    },
    async ({ user, input }) => {
      const report = await importGiftCodes(getDb(), prizeId, input.csv, {
        ...clientInfo(await headers()),
        actorId: user.id,
      });
      revalidatePath(`/admin/prizes/${prizeId}`);
      return {
        data: {
          accepted: report.accepted,
          total: report.total,
          rejectedCount: report.rejected.length,
          rejected: report.rejected.slice(0, REJECTIONS_SHOWN),
        },
      };
    },
  );
}
