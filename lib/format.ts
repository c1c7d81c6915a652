export function formatMoney(cents: number): string {
  return new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(cents / 100);
}

export function formatDateTime(iso: string | Date): string {
  const formatted = new Intl.DateTimeFormat("en-GB", {
    dateStyle: "medium",
    timeStyle: "medium",
    timeZone: "UTC",
  }).format(new Date(iso));
  return `${formatted} UTC`;
}

export function shortHash(hash: string, chars = 10): string {
  return hash.length > chars * 2 + 2 ? `${hash.slice(0, chars + 2)}…${hash.slice(-chars)}` : hash;
}
