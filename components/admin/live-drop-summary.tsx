"use client";

import { useRouter } from "next/navigation";
import { type ReactNode, useEffect } from "react";
import { usePolled } from "@/components/ui/use-polled";
import type { DropView } from "@/lib/drops/model";
import styles from "./admin.module.css";

type Figures = Pick<DropView, "status" | "units" | "remaining">;

const statusWords = (status: DropView["status"]) => status.replace("_", " ");

/**
 * The drop's heading, status and stock on its admin page, read every two seconds: a pause,
 * resume or end from another tab or the API, the start or the end arriving, and claims show here
 * without a reload. When they move, the page renders again (no reload) so its controls and the
 * redemptions list follow. `children` go between the heading and the figures.
 */
export function LiveDropSummary({
  dropId,
  title,
  initial,
  children,
}: {
  dropId: string;
  title: string;
  initial: Figures;
  children?: ReactNode;
}) {
  const router = useRouter();
  const drop = usePolled<Figures>(
    `/api/v1/admin/drops/${dropId}`,
    initial,
    (body) => body as Figures,
  );
  const moved = drop.status !== initial.status || drop.remaining !== initial.remaining;
  useEffect(() => {
    if (moved) router.refresh();
  }, [moved, router]);
  const figures: Array<[string, number, string]> = [
    ["Units", drop.units, "admin-drop-units"],
    ["Claimed", drop.units - drop.remaining, "admin-drop-claimed"],
    ["Remaining", drop.remaining, "admin-drop-remaining"],
  ];
  return (
    <>
      <h1>
        {title}{" "}
        <span className={`badge ${drop.status}`} data-testid="admin-drop-status" aria-live="polite">
          {statusWords(drop.status)}
        </span>
      </h1>
      {children}
      <dl className={styles.stock} aria-label="Stock" data-testid="admin-drop-stock">
        {figures.map(([label, value, testId]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd data-testid={testId}>{value.toLocaleString("en")}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}
