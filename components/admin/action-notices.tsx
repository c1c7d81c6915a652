"use client";

import { useEffect, useState } from "react";

const ACTION_NOTICE_EVENT = "prizeledger:action-notice";

/** Tells the page's notices what an action did (`ActionNotices` shows it). */
export function announceActionNotice(notice: string): void {
  window.dispatchEvent(new CustomEvent<string>(ACTION_NOTICE_EVENT, { detail: notice }));
}

/**
 * The outcomes of this page's actions, newest first. A live page re-renders itself as things
 * move, and the row an admin acted on may leave it (a retried delivery is no longer dead): its
 * outcome stays here.
 */
export function ActionNotices() {
  const [notices, setNotices] = useState<{ id: number; text: string }[]>([]);
  useEffect(() => {
    let next = 0;
    const add = (event: Event) => {
      const text = (event as CustomEvent<string>).detail;
      next += 1;
      const id = next;
      setNotices((shown) => [{ id, text }, ...shown].slice(0, 3));
    };
    window.addEventListener(ACTION_NOTICE_EVENT, add);
    return () => window.removeEventListener(ACTION_NOTICE_EVENT, add);
  }, []);
  return (
    <div role="status" aria-live="polite" data-testid="action-notices">
      {notices.map((n) => (
        <p key={n.id} className="alert success">
          {n.text}
        </p>
      ))}
    </div>
  );
}
