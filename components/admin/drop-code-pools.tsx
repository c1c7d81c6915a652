import Link from "next/link";
import type { CodeCoverage } from "@/lib/drops/drops";
import styles from "./admin.module.css";

/**
 * Codes against units for a drop's gift-card prizes with an imported pool: a claim finding no
 * code left is refused as sold out, so fewer codes than units still to give is said plainly.
 */
export function DropCodePools({ pools }: { pools: CodeCoverage[] }) {
  return (
    <section
      aria-labelledby="code-pools-heading"
      className={styles.section}
      data-testid="drop-code-pools"
    >
      <h2 id="code-pools-heading">Gift codes</h2>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Prize</th>
              <th>Codes left</th>
              <th>Units to give here</th>
              <th>Promised by other drops</th>
            </tr>
          </thead>
          <tbody>
            {pools.map((p) => (
              <tr key={p.prizeId} data-testid="code-pool-row" data-prize-id={p.prizeId}>
                <td>
                  <Link href={`/admin/prizes/${p.prizeId}`}>{p.name}</Link>
                </td>
                <td data-testid="codes-unused">{p.codesUnused.toLocaleString("en")}</td>
                <td data-testid="codes-units-here">{p.available.toLocaleString("en")}</td>
                <td data-testid="codes-units-elsewhere">
                  {p.promisedElsewhere.toLocaleString("en")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pools.map((p) => {
        const short = p.available + p.promisedElsewhere - p.codesUnused;
        if (short <= 0 || p.available === 0) return null;
        return (
          <p key={p.prizeId} className="alert error" data-testid="codes-short">
            {p.name}: {short.toLocaleString("en")} {short === 1 ? "code" : "codes"} short of the
            units this drop and the other open drops still give. A player who finds no code left is
            refused as sold out: <Link href={`/admin/prizes/${p.prizeId}`}>import codes</Link>.
          </p>
        );
      })}
    </section>
  );
}
