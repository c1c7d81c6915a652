import Link from "next/link";
import type { RedemptionView } from "@/lib/redemptions/model";

/** Where a redemption came from, in a few words: its drop, the catalog, or a game round. */
export function RedemptionOrigin({ redemption }: { redemption: RedemptionView }) {
  const { origin, drop } = redemption;
  if (origin.kind === "catalog") {
    return <span data-testid="redemption-origin">the catalog, for {origin.priceSc} SC</span>;
  }
  if (origin.kind === "round") return <span data-testid="redemption-origin">a game round</span>;
  return drop ? <Link href={`/drops/${drop.id}`}>{drop.title}</Link> : null;
}
