"use client";

import { useEffect, useRef, useState } from "react";

/** After the stream is closed for good (signed out elsewhere, server restart), try again. */
const REOPEN_MS = 10_000;

/**
 * A value kept live by a Server-Sent Events stream (`url`, events named `event`), starting from
 * what the page was rendered with. Each change is announced on `window` as `announce`, for parts
 * of the page that show more of it. With `whileVisible`, a hidden tab lets its stream go and
 * opens it again when shown (its first event brings what moved meanwhile): over HTTP/1.1 a
 * browser holds at most six connections to a site, and tabs that each hold several streams would
 * leave none for a click.
 */
export function useEventStream<T>(
  url: string,
  event: string,
  initial: T,
  announce: string,
  { whileVisible = false }: { whileVisible?: boolean } = {},
): T {
  const [value, setValue] = useState(initial);
  // What the page was rendered with: the stream's first event repeats it, and moves nothing.
  const last = useRef(JSON.stringify(initial));
  useEffect(() => {
    let source: EventSource | undefined;
    let reopen: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      source = new EventSource(url);
      source.addEventListener(event, (message) => {
        const data = (message as MessageEvent<string>).data;
        if (data === last.current) return;
        last.current = data;
        setValue(JSON.parse(data) as T);
        window.dispatchEvent(new Event(announce));
      });
      source.addEventListener("error", () => {
        if (source?.readyState !== EventSource.CLOSED) return;
        source.close();
        reopen = setTimeout(open, REOPEN_MS);
      });
    };
    const close = () => {
      clearTimeout(reopen);
      source?.close();
      source = undefined;
    };
    const followVisibility = () => {
      if (document.visibilityState === "hidden") close();
      else if (!source) open();
    };
    if (whileVisible) {
      followVisibility();
      document.addEventListener("visibilitychange", followVisibility);
    } else {
      open();
    }
    return () => {
      document.removeEventListener("visibilitychange", followVisibility);
      close();
    };
  }, [url, event, announce, whileVisible]);
  return value;
}
