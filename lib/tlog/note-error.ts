/** A malformed or unverifiable signed note, key, checkpoint or witness message, said in words. */
export class NoteError extends Error {
  override name = "NoteError";
}
