import { WELL_KNOWN_PATH } from "@/lib/ledger/identity";

/** Where an auditor names another operator: its site, or its identity document's own URL. */
export function OperatorUrlInput({
  value,
  onChange,
  label,
  testId,
}: {
  value: string;
  onChange: (value: string) => void;
  label: string;
  testId: string;
}) {
  return (
    <input
      value={value}
      onChange={(e) => onChange(e.target.value)}
      placeholder={`https://operator.example${WELL_KNOWN_PATH}`}
      aria-label={label}
      style={{ width: "100%" }}
      data-testid={testId}
    />
  );
}
