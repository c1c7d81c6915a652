/** A decimal count as the tlog formats spell it: ASCII digits, no sign, no leading zero. */
export function parseDecimal(text: string): number | null {
  if (!/^(?:0|[1-9][0-9]*)$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}
