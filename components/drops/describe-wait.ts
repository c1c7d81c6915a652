/** "about 3 minutes": rounded up, so that nobody is promised less than the estimate. */
export function describeWait(seconds: number | null): string {
  if (seconds === null) return "–";
  if (seconds <= 0) return "any moment now";
  if (seconds < 60) return "under a minute";
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) return `about ${minutes} minute${minutes === 1 ? "" : "s"}`;
  return `about ${Math.ceil(minutes / 60)} hours`;
}
