/** What an imported file and its codes must look like; free of node imports so forms can use it. */
export const CODE_MIN_LENGTH = 4;
export const CODE_MAX_LENGTH = 64;
export const CODE_PATTERN = /^[A-Za-z0-9-]+$/;
export const MAX_CSV_BYTES = 2 * 1024 * 1024;
export const MAX_CSV_CODES = 100_000;

export const rejectionReasons = [
  "empty",
  "too_long",
  "too_short",
  "bad_characters",
  "too_many_columns",
  "duplicate_in_file",
  "already_imported",
] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

export const rejectionReasonLabels: Record<RejectionReason, string> = {
  empty: "No code on this line",
  too_long: `Longer than ${CODE_MAX_LENGTH} characters`,
  too_short: `Shorter than ${CODE_MIN_LENGTH} characters`,
  bad_characters: "Only letters, digits and dashes are allowed",
  too_many_columns: "More than one column",
  duplicate_in_file: "Repeats an earlier line of this file",
  already_imported: "Already in this prize's pool",
};

export type ImportRejection = {
  line: number;
  code?: string;
  reason: RejectionReason;
  /** duplicate_in_file: the earlier line with the same code, so the admin can find both. */
  firstLine?: number;
};
export type ImportReport = { accepted: number; rejected: ImportRejection[]; total: number };
/** A report as the admin's form shows it: every count, but only the first rejected lines. */
export type ImportSummary = Omit<ImportReport, "rejected"> & {
  rejectedCount: number;
  rejected: ImportRejection[];
};
