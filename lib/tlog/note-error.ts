/** A malformed or unverifiable signed note, key, checkpoint or witness message, said in words. */
export class NoteError extends Error {
  override name = "NoteError";
}

const QUOTE_LIMIT = 60;

/** Input quoted in an error message, cut short: a hostile body must not come back whole. */
export function quote(input: string): string {
  return JSON.stringify(input.length > QUOTE_LIMIT ? `${input.slice(0, QUOTE_LIMIT)}…` : input);
}
