const KIND_LABELS: Record<string, string> = {
  gift_card: "Gift card",
  crypto: "Crypto token",
  physical: "Physical item",
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}

/** 75 → "1m 15s", 4000 → "1h 6m": durations as an operator reads them. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return "–";
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** "2026-11-21T08:02:11.123Z" → "08:02:11" (UTC, as every time in the admin area). */
export function clockTime(iso: string): string {
  return iso.slice(11, 19);
}
