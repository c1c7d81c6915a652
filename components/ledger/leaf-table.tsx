import { TableScroll } from "@/components/ui/table-scroll";
import { formatMoney, shortHash } from "@/lib/format";
import { decodeLeaf } from "@/lib/ledger/leaf";
import { fromHex, leafHash, toHex } from "@/lib/ledger/merkle";

export type PublicLeaf = { index: number; data: string };

type Row = {
  index: number;
  data: string;
  hash: string;
  decoded:
    | {
        ok: true;
        kind: string;
        dropId: string | null;
        valueCents: number | null;
        timeMs: number;
      }
    | { ok: false; error: string };
};

function decodeRow(leaf: PublicLeaf): Row {
  const bytes = fromHex(leaf.data);
  const hash = toHex(leafHash(bytes));
  try {
    const entry = decodeLeaf(bytes);
    return {
      index: leaf.index,
      data: leaf.data,
      hash,
      decoded: {
        ok: true,
        kind: entry.kind,
        dropId: "dropId" in entry ? entry.dropId : null,
        valueCents:
          entry.kind === "round"
            ? entry.payoutMinor
            : entry.kind === "seed_commitment" || entry.kind === "delivery"
              ? null
              : entry.valueCents,
        timeMs: entry.timeMs,
      },
    };
  } catch (error) {
    return {
      index: leaf.index,
      data: leaf.data,
      hash,
      decoded: { ok: false, error: String(error) },
    };
  }
}

/** One page of public leaves, decoded from their canonical bytes. */
export function LeafTable({ leaves }: { leaves: PublicLeaf[] }) {
  const rows = leaves.map(decodeRow);
  return (
    <div style={{ overflowX: "auto" }}>
      <TableScroll label="Leaves">
        <table data-testid="leaves-table">
          <thead>
            <tr>
              <th>Index</th>
              <th>Kind</th>
              <th>Drop</th>
              <th>Value</th>
              <th>Time (UTC)</th>
              <th>Leaf hash</th>
              <th>Data</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.index} id={`leaf-${row.index}`} data-testid="leaf-row">
                <td>{row.index}</td>
                {row.decoded.ok ? (
                  <>
                    <td>{row.decoded.kind}</td>
                    <td className="hash">
                      {row.decoded.dropId ? row.decoded.dropId.slice(0, 8) : "—"}
                    </td>
                    <td>
                      {row.decoded.valueCents === null ? "—" : formatMoney(row.decoded.valueCents)}
                    </td>
                    <td>
                      {new Date(row.decoded.timeMs).toISOString().replace("T", " ").slice(0, 19)}
                    </td>
                  </>
                ) : (
                  <td colSpan={4} className="muted">
                    Undecodable: {row.decoded.error}
                  </td>
                )}
                <td className="hash" title={row.hash}>
                  {shortHash(row.hash, 6)}
                </td>
                <td className="hash" title={row.data}>
                  {shortHash(row.data, 6)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </div>
  );
}
