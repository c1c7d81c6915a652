/**
 * What an auditor typed in the /ledger search box, told apart by its shape alone: a leaf index
 * (digits), a redemption, round or seed id (a UUID), or a 32-byte hash (a leaf hash or an
 * anchoring transaction's hash: the two look alike, so both are looked up). Browser-safe.
 */
export type LedgerQuery =
  | { kind: "index"; index: number }
  | { kind: "id"; id: string }
  | { kind: "hash"; hash: `0x${string}` }
  | { kind: "invalid"; error: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HASH = /^(?:0x)?([0-9a-f]{64})$/i;
/** Longer than any index, id or hash: anything longer is refused before it is looked at. */
export const MAX_LEDGER_QUERY_LENGTH = 100;

export const LEDGER_QUERY_HINT =
  "Enter a leaf index (a whole number such as 42), a redemption id (a UUID), or a leaf or transaction hash (0x and 64 hex digits).";

export function parseLedgerQuery(raw: string): LedgerQuery {
  const text = raw.trim();
  if (text.length > MAX_LEDGER_QUERY_LENGTH) {
    return {
      kind: "invalid",
      error: `That is too long to be an index, id or hash. ${LEDGER_QUERY_HINT}`,
    };
  }
  if (UUID.test(text)) return { kind: "id", id: text.toLowerCase() };
  // Before digits: a hash written without 0x may happen to have no letter in it.
  const hash = HASH.exec(text)?.[1];
  if (hash) return { kind: "hash", hash: `0x${hash.toLowerCase()}` };
  if (/^\d+$/.test(text)) {
    const index = Number(text);
    if (!Number.isSafeInteger(index)) {
      return { kind: "invalid", error: `Leaf index ${text} is larger than any log can be.` };
    }
    return { kind: "index", index };
  }
  if (/^(?:0x)?[0-9a-f]+$/i.test(text)) {
    const digits = text.replace(/^0x/i, "").length;
    return {
      kind: "invalid",
      error: `A hash has 64 hex digits after 0x; this one has ${digits}. ${LEDGER_QUERY_HINT}`,
    };
  }
  return { kind: "invalid", error: `“${text}” is not an index, id or hash. ${LEDGER_QUERY_HINT}` };
}

/** Where the public ledger shows what a search finds (a page of its own, rendered whole). */
export function ledgerSearchHref(query: string): string {
  return `/ledger/search?q=${encodeURIComponent(query)}`;
}
