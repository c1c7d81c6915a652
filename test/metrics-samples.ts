/** Every sample of a Prometheus text scrape as `name{labels}` → value, as the scrape spells them. */
export function parseSamples(text: string): Map<string, number> {
  return new Map(
    text
      .split("\n")
      .filter((line) => line && !line.startsWith("#"))
      .map((line) => {
        const at = line.lastIndexOf(" ");
        return [line.slice(0, at), Number(line.slice(at + 1))];
      }),
  );
}

/** How much each sample moved from one scrape to the next (absent counts as 0). */
export function movedBetween(before: Map<string, number>, after: Map<string, number>) {
  return (sample: string) => (after.get(sample) ?? 0) - (before.get(sample) ?? 0);
}
