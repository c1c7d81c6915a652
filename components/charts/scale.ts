/** A round upper bound for an axis (1, 2, 2.5 or 5 times a power of ten), at least 1. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (value <= step * power) return step * power;
  }
  return 10 * power;
}

/** Gridlines at 0, the middle and the top; the middle only where it is a count (not 1.5 units). */
export function axisTicks(top: number): number[] {
  const middle = top / 2;
  return Number.isInteger(middle) || !Number.isInteger(top) ? [0, middle, top] : [0, top];
}

/** Short numbers for axis labels: 1200 → 1.2k, 3500000 → 3.5M. */
export function compactNumber(value: number): string {
  return new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 }).format(
    value,
  );
}

/** Palette for categorical series: readable on white, distinct for common colour blindness. */
export const PALETTE = ["#4338ca", "#0f7b4f", "#d97706", "#b42318", "#7c3aed", "#64748b"] as const;

export function paletteColor(index: number): string {
  return PALETTE[index % PALETTE.length] as string;
}
