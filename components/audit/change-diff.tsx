/** Shows what an admin change did: each field whose value differs, before → after, as text. */
export function ChangeDiff({ data }: { data: Record<string, unknown> | null }) {
  if (!data || !("after" in data)) {
    return data ? <code className="small">{JSON.stringify(data)}</code> : null;
  }
  const before = asRecord(data.before);
  const after = asRecord(data.after);
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
  return (
    <ul className="small" data-testid="change-diff" style={{ margin: 0, paddingLeft: 16 }}>
      {keys.map((k) => (
        <li key={k}>
          <strong>{k}</strong>: {show(before[k])} → {show(after[k])}
        </li>
      ))}
    </ul>
  );
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function show(value: unknown): string {
  if (value === undefined || value === null) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}
