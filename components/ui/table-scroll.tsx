import type { ReactNode } from "react";

/**
 * A wide table's own sideways scroll on a narrow screen, so the page itself never scrolls
 * sideways. It is a named region in the tab order: without a focusable element inside, a keyboard
 * user could not scroll it otherwise.
 */
export function TableScroll({
  label,
  className,
  children,
}: {
  label: string;
  /** Styles of its own, besides the global `table-scroll`. */
  className?: string;
  children: ReactNode;
}) {
  return (
    <section
      className={className ? `table-scroll ${className}` : "table-scroll"}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box must be reachable by keyboard to be scrolled
      tabIndex={0}
      aria-label={label}
    >
      {children}
    </section>
  );
}
