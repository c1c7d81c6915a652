import { prizeKindLabels } from "@/lib/prizes/model";

export function kindLabel(kind: string): string {
  return prizeKindLabels[kind as keyof typeof prizeKindLabels] ?? kind;
}

/** 75 → "1m 15s", 4000 → "1h 6m": durations as an operator reads them. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const pair = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    small === 0 ? `${big}${bigUnit}` : `${big}${bigUnit} ${small}${smallUnit}`;
  if (s < 3600) return pair(Math.floor(s / 60), "m", s % 60, "s");
  if (s < 86_400) return pair(Math.floor(s / 3600), "h", Math.floor((s % 3600) / 60), "m");
  return pair(Math.floor(s / 86_400), "d", Math.floor((s % 86_400) / 3600), "h");
}

/** Milliseconds without the unit (the tile says it once): 3.2, 166, "–" when none. */
export function formatMs(ms: number | null): string {
  if (ms === null) return "–";
  return ms < 10 ? ms.toFixed(1) : Math.round(ms).toLocaleString("en");
}

/** Milliseconds as seconds without the unit: 1234 → "1.2", 65000 → "65", "–" when none. */
export function formatSeconds(ms: number | null): string {
  if (ms === null) return "–";
  const s = ms / 1000;
  return s < 10 ? s.toFixed(1) : Math.round(s).toLocaleString("en");
}

/** "1 claim", "3 claims". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
}
