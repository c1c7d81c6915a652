import Link from "next/link";
import { CopyButton } from "@/components/ui/copy-button";
import { Money } from "@/components/ui/date-time";
import { TableScroll } from "@/components/ui/table-scroll";
import { ledgerLeafHref } from "@/lib/anchoring/public-log";
import { shortHash } from "@/lib/format";
import { decodeLeaf, type LeafEntry } from "@/lib/ledger/leaf";
import { fromHex, leafHash, toHex } from "@/lib/ledger/merkle";
import { ledgerKindLabels } from "@/lib/ledger/model";
import type { LeafNames, PublicLeaf } from "@/lib/ledger/public-entry";

export type { PublicLeaf };

type Row = {
  index: number;
  data: string;
  hash: string;
  decoded: { ok: true; entry: LeafEntry } | { ok: false; error: string };
};

function decodeRow(leaf: PublicLeaf): Row {
  const bytes = fromHex(leaf.data);
  const row = { index: leaf.index, data: leaf.data, hash: toHex(leafHash(bytes)) };
  try {
    return { ...row, decoded: { ok: true, entry: decodeLeaf(bytes) } };
  } catch (error) {
    return { ...row, decoded: { ok: false, error: String(error) } };
  }
}

/** The value an entry records: a prize's, a round's payout; none for seeds, deliveries, draws. */
function recordedValue(entry: LeafEntry) {
  if (entry.kind === "round") return <Money cents={entry.payoutMinor} />;
  if (entry.kind === "seed_commitment" || entry.kind === "delivery") return "—";
  if (entry.kind === "queue_draw") return "—";
  return <Money cents={entry.valueCents} />;
}

/** A name the page knows for an id, else the id's start, marked as an id. */
function Named({ id, name }: { id: string | null; name: string | undefined }) {
  if (!id) return "—";
  if (name) return name;
  return <span className="hash" title={id}>{`id ${id.slice(0, 8)}`}</span>;
}

/** A hash shortened for the table, whole in its title and in the copy button's clipboard. */
export function CopyableHash({ hash, what }: { hash: string; what: string }) {
  return (
    <span className="copyable-hash">
      <span className="hash" title={hash}>
        {shortHash(hash, 6)}
      </span>
      <CopyButton text={hash} what={what} />
    </span>
  );
}

/** Leaves of the public log, decoded from their canonical bytes, with their prize and drop names. */
export function LeafTable({ leaves, names }: { leaves: PublicLeaf[]; names: LeafNames }) {
  const rows = leaves.map(decodeRow);
  // TableScroll is relative: the copy buttons' screen-reader notes are absolutely placed, and
  // would otherwise escape the scrolling box and widen the whole page on a phone.
  return (
    <TableScroll label="Leaves">
      <table data-testid="leaves-table">
        <thead>
          <tr>
            <th>Index</th>
            <th>Kind</th>
            <th>Drop</th>
            <th>Prize</th>
            <th>Value</th>
            <th>Time (UTC)</th>
            <th>Leaf hash</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.index} id={`leaf-${row.index}`} data-testid="leaf-row">
              <td>
                <Link href={ledgerLeafHref(row.index)} aria-label={`Leaf ${row.index}`}>
                  {row.index}
                </Link>
              </td>
              {row.decoded.ok ? (
                <>
                  <td>{ledgerKindLabels[row.decoded.entry.kind]}</td>
                  <td data-testid="leaf-drop">
                    {"dropId" in row.decoded.entry ? (
                      <Named
                        id={row.decoded.entry.dropId}
                        name={names.drops[row.decoded.entry.dropId ?? ""]}
                      />
                    ) : (
                      "—"
                    )}
                  </td>
                  <td data-testid="leaf-prize">
                    {"prizeId" in row.decoded.entry ? (
                      <Named
                        id={row.decoded.entry.prizeId}
                        name={names.prizes[row.decoded.entry.prizeId]}
                      />
                    ) : (
                      "—"
                    )}
                  </td>
                  <td>{recordedValue(row.decoded.entry)}</td>
                  <td style={{ whiteSpace: "nowrap" }}>
                    {new Date(row.decoded.entry.timeMs)
                      .toISOString()
                      .replace("T", " ")
                      .slice(0, 19)}
                  </td>
                </>
              ) : (
                <td colSpan={5} className="muted">
                  Undecodable: {row.decoded.error}
                </td>
              )}
              <td>
                <CopyableHash hash={row.hash} what={`leaf ${row.index}'s hash`} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
