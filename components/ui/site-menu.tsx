"use client";

import { type KeyboardEvent, type MouseEvent, type ReactNode, useRef } from "react";

/**
 * The header's links behind a "Menu" disclosure on a phone; on a wider screen the CSS shows them
 * in the bar and hides the summary. A `<details>` opens and closes without JavaScript; with it,
 * the menu also closes once a link in it is followed or a form in it sent (the root layout,
 * and so this element, stays in place across client-side navigations) and on Escape.
 */
export function SiteMenu({ children }: { children: ReactNode }) {
  const menu = useRef<HTMLDetailsElement>(null);
  function close(focusSummary: boolean) {
    const details = menu.current;
    if (!details?.open) return;
    details.open = false;
    if (focusSummary) details.querySelector("summary")?.focus();
  }
  function onClick(event: MouseEvent) {
    if (event.target instanceof Element && event.target.closest("a")) close(false);
  }
  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "Escape") close(true);
  }
  return (
    <details
      className="site-menu"
      ref={menu}
      onClick={onClick}
      onKeyDown={onKeyDown}
      onSubmit={() => close(false)}
    >
      <summary>Menu</summary>
      <div className="site-menu-body">{children}</div>
    </details>
  );
}
