import "server-only";
import { eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { giftCodes } from "@/db/schema";
import { recordEvent } from "@/lib/audit/record-event";
import { AppError } from "@/lib/errors/app-error";
import { type AdminActor, getPrize } from "@/lib/prizes/prizes";
import { codeFingerprint, encryptCode } from "./code-crypto";
import {
  CODE_MAX_LENGTH,
  CODE_MIN_LENGTH,
  CODE_PATTERN,
  type ImportRejection,
  type ImportReport,
  MAX_CSV_BYTES,
  MAX_CSV_CODES,
  type RejectionReason,
} from "./model";

// Four parameters a row: far below PostgreSQL's 65,535 per statement.
const INSERT_CHUNK = 2_000;

/** Enough of a code to find it in the file, not enough to redeem it. */
export function maskCode(code: string): string {
  const shown = Math.min(4, Math.floor(code.length / 4));
  return shown === 0 ? "…" : `${code.slice(0, shown)}…${code.slice(-shown)}`;
}

/** The fields of one CSV line, unquoted and trimmed; undefined when a quote is left open. */
function splitCsvLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === " " || line[i] === "\t") i++;
    let field = "";
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return undefined;
        if (line[i] === '"') {
          if (line[i + 1] !== '"') break;
          i++;
        }
        field += line[i++];
      }
      i++;
      while (line[i] === " " || line[i] === "\t") i++;
      if (i < line.length && line[i] !== ",") return undefined;
    } else {
      const comma = line.indexOf(",", i);
      const end = comma === -1 ? line.length : comma;
      field = line.slice(i, end);
      i = end;
    }
    fields.push(field.trim());
    if (i >= line.length) return fields;
    i++;
  }
}

type ParsedCsv = { codes: Array<{ line: number; code: string }>; rejected: ImportRejection[] };

/** One code a line; blank lines are skipped and a first line reading `code` is a header. */
function parseCodeCsv(csvText: string): ParsedCsv {
  const parsed: ParsedCsv = { codes: [], rejected: [] };
  const lines = csvText.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  let seenContent = false;
  lines.forEach((text, index) => {
    const line = index + 1;
    if (text.trim() === "") return;
    const fields = splitCsvLine(text);
    const isFirst = !seenContent;
    seenContent = true;
    if (!fields) {
      parsed.rejected.push({ line, code: maskCode(text.trim()), reason: "bad_characters" });
      return;
    }
    // Spreadsheets pad rows with empty columns: only a second value is a second column.
    while (fields.length > 1 && fields.at(-1) === "") fields.pop();
    const code = fields[0] ?? "";
    if (isFirst && fields.length === 1 && code.toLowerCase() === "code") return;
    const reason = rejectionOf(code, fields.length);
    if (reason) parsed.rejected.push({ line, code: code ? maskCode(code) : undefined, reason });
    else parsed.codes.push({ line, code });
  });
  return parsed;
}

function rejectionOf(code: string, columns: number): RejectionReason | undefined {
  if (columns > 1) return "too_many_columns";
  if (code === "") return "empty";
  if (code.length > CODE_MAX_LENGTH) return "too_long";
  if (!CODE_PATTERN.test(code)) return "bad_characters";
  if (code.length < CODE_MIN_LENGTH) return "too_short";
  return undefined;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/**
 * Adds the codes of a CSV file to a gift-card prize's pool, encrypted, in one transaction with
 * the admin's audit event (the seed's own codes have no admin): if the event cannot be written,
 * no code is stored. Every non-blank line is either accepted or reported with its reason; a code
 * already in the pool (by fingerprint) is reported, not duplicated, even when another import
 * races this one.
 */
export async function importGiftCodes(
  db: DbOrTx,
  prizeId: string,
  csvText: string,
  admin?: AdminActor,
): Promise<ImportReport> {
  if (Buffer.byteLength(csvText, "utf8") > MAX_CSV_BYTES) {
    throw new AppError("invalid_input", "The file is larger than 2 MB: split it", { field: "csv" });
  }
  const parsed = parseCodeCsv(csvText);
  const total = parsed.codes.length + parsed.rejected.length;
  if (total > MAX_CSV_CODES) {
    throw new AppError(
      "invalid_input",
      `The file has ${total.toLocaleString("en-US")} lines; at most ${MAX_CSV_CODES.toLocaleString("en-US")} at a time`,
      { field: "csv" },
    );
  }
  if (total === 0) throw new AppError("invalid_input", "The file has no codes", { field: "csv" });

  const rejected = [...parsed.rejected];
  const fresh = new Map<string, { line: number; code: string; fingerprint: Uint8Array }>();
  for (const { line, code } of parsed.codes) {
    const fingerprint = codeFingerprint(code);
    const key = hex(fingerprint);
    const first = fresh.get(key);
    if (first) {
      rejected.push({
        line,
        code: maskCode(code),
        reason: "duplicate_in_file",
        firstLine: first.line,
      });
    } else fresh.set(key, { line, code, fingerprint });
  }
  // Concurrent imports that overlap take row locks in one order, so they wait instead of deadlocking.
  const ordered = [...fresh].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, entry]) => entry);

  return db.transaction(async (tx) => {
    const prize = await getPrize(tx, prizeId);
    if (!prize) throw new AppError("invalid_input", "Prize not found", { field: "prizeId" });
    if (prize.kind !== "gift_card") {
      throw new AppError("invalid_input", "Only gift-card prizes have a code pool", {
        field: "prizeId",
      });
    }
    if (prize.deliveryProvider === "giftcard") {
      throw new AppError(
        "invalid_input",
        "This gift card is delivered by the gift-card provider: it takes no imported codes",
        { field: "prizeId" },
      );
    }
    let accepted = 0;
    for (let start = 0; start < ordered.length; start += INSERT_CHUNK) {
      const chunk = ordered.slice(start, start + INSERT_CHUNK);
      const inserted = await tx
        .insert(giftCodes)
        .values(
          chunk.map(({ code, fingerprint }) => ({
            prizeId,
            ...encryptCode(code),
            fingerprint,
          })),
        )
        .onConflictDoNothing({ target: [giftCodes.prizeId, giftCodes.fingerprint] })
        .returning({ fingerprint: giftCodes.fingerprint });
      accepted += inserted.length;
      const taken = new Set(inserted.map((row) => hex(row.fingerprint)));
      for (const { line, code, fingerprint } of chunk) {
        if (!taken.has(hex(fingerprint))) {
          rejected.push({ line, code: maskCode(code), reason: "already_imported" });
        }
      }
    }
    rejected.sort((a, b) => a.line - b.line);
    const report = { accepted, rejected, total };
    if (admin) {
      await recordEvent(tx, {
        ...admin,
        action: "gift_codes_import",
        subject: `prize:${prizeId}`,
        outcome: "ok",
        data: await poolChange(tx, prizeId, report),
      });
    }
    return report;
  });
}

/** The audit data of an import: the prize's pool before and after, read inside the import. */
async function poolChange(db: DbOrTx, prizeId: string, report: ImportReport) {
  const after = await codePoolStats(db, prizeId);
  return {
    before: { total: after.total - report.accepted, unused: after.unused - report.accepted },
    after,
    accepted: report.accepted,
    rejected: report.rejected.length,
  };
}

/** How many codes a prize's pool holds and how many are not yet handed out. */
export async function codePoolStats(
  db: DbOrTx,
  prizeId: string,
): Promise<{ total: number; unused: number }> {
  const [row] = await db
    .select({
      total: sql<number>`count(*)::int`,
      unused: sql<number>`(count(*) filter (where ${isNull(giftCodes.redemptionId)}
        and ${isNull(giftCodes.quarantinedAt)}))::int`,
    })
    .from(giftCodes)
    .where(eq(giftCodes.prizeId, prizeId));
  return { total: row?.total ?? 0, unused: row?.unused ?? 0 };
}
