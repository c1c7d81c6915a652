import "server-only";
import type postgres from "postgres";
import { getDb, sqlClient } from "@/db/client";
import type { NotifyChannel } from "@/db/notify";
import { logWarning } from "@/lib/log";
import { trackStream } from "@/lib/metrics/web-metrics";
import { getDashboard } from "./dashboard";
import type { DashboardSnapshot } from "./model";

/** At most one recompute per this many ms per process, whatever the burst of notifications. */
export const COALESCE_MS = 250;

/**
 * Time-based figures (claims per second, anchoring lag) move even when nothing is notified: while
 * anyone watches, the snapshot is also refreshed this often.
 */
export const IDLE_REFRESH_MS = 5_000;

export type Subscriber<T> = (snapshot: T) => void;

export type LiveFeed<T> = {
  /** Calls `send` with the latest snapshot now (or as soon as there is one) and on every change. */
  subscribe(send: Subscriber<T>): () => void;
  /** Asks for a fresh snapshot (coalesced); what a notification does. */
  poke(): void;
  subscriberCount(): number;
};

/**
 * One LISTEN connection and one recompute loop per process, shared by every subscriber: a burst
 * of a thousand claims costs a handful of dashboard queries, not one per claim per open browser.
 * The connection is held only while someone is subscribed.
 */
export function createLiveFeed<T>(
  sql: postgres.Sql,
  compute: () => Promise<T>,
  {
    channel = "analytics",
    idleRefreshMs = IDLE_REFRESH_MS,
    log = (message: string) => logWarning("live_feed", { message }),
  }: {
    /** Writers notify it when the snapshot may have changed. */
    channel?: NotifyChannel;
    idleRefreshMs?: number;
    log?: (message: string) => void;
  } = {},
): LiveFeed<T> {
  const subscribers = new Set<Subscriber<T>>();
  let latest: T | undefined;
  let lastStart = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let dirty = false;
  let listener: Promise<{ unlisten: () => Promise<void> } | undefined> | undefined;
  let idle: ReturnType<typeof setInterval> | undefined;

  async function recompute(): Promise<void> {
    running = true;
    dirty = false;
    lastStart = Date.now();
    try {
      const snapshot = await compute();
      // Nobody left to tell: a snapshot kept now would be stale when the next one subscribes.
      if (subscribers.size === 0) return;
      latest = snapshot;
      for (const send of subscribers) send(snapshot);
    } catch (error) {
      log(`${channel} snapshot failed: ${(error as Error).message}`);
    } finally {
      running = false;
      if (dirty) schedule();
    }
  }

  function schedule(): void {
    if (subscribers.size === 0) return;
    if (running) {
      dirty = true;
      return;
    }
    if (timer) return;
    const wait = Math.max(0, lastStart + COALESCE_MS - Date.now());
    timer = setTimeout(() => {
      timer = undefined;
      void recompute();
    }, wait);
  }

  function start(): void {
    // postgres.js keeps the LISTEN on a connection of its own and re-listens after a reconnect;
    // onlisten runs then too, so whatever was missed while disconnected is picked up.
    listener = sql
      .listen(channel, () => schedule(), schedule)
      .catch((error: Error) => {
        log(`${channel} LISTEN failed, refreshing on a timer only: ${error.message}`);
        return undefined;
      });
    idle = setInterval(schedule, idleRefreshMs);
    idle.unref?.();
  }

  function stop(): void {
    clearInterval(idle);
    clearTimeout(timer);
    timer = undefined;
    latest = undefined;
    dirty = false;
    const held = listener;
    listener = undefined;
    void held?.then((l) => l?.unlisten()).catch(() => {});
  }

  return {
    subscribe(send) {
      subscribers.add(send);
      if (subscribers.size === 1) start();
      if (latest !== undefined) send(latest);
      else schedule();
      return () => {
        if (!subscribers.delete(send)) return;
        if (subscribers.size === 0) stop();
      };
    },
    poke: schedule,
    subscriberCount: () => subscribers.size,
  };
}

/**
 * A comment line this often keeps proxies and load balancers from closing an idle stream; each
 * one first asks whether the caller may still watch, so a suspension ends a stream this soon.
 */
export const HEARTBEAT_MS = 5_000;
/** How long the browser's EventSource waits before reconnecting after the stream drops. */
export const RETRY_MS = 2_000;

/** Headers for a Server-Sent Events response that survives proxies and CDNs unbuffered. */
export const EVENT_STREAM_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-store, no-transform",
  connection: "keep-alive",
  // nginx buffers proxied responses unless told not to; a buffered stream arrives in lumps.
  "x-accel-buffering": "no",
} as const;

/**
 * A `text/event-stream` body: `retry:` first, then an `event` with every snapshot the feed
 * produces, and heartbeats. It unsubscribes when the client goes (the request's signal aborts or
 * the body is cancelled), so a closed tab holds nothing. The caller was let in once, when the
 * stream opened; `stillAllowed` is asked again before every heartbeat, and a no (or a failure to
 * answer) closes the stream. The browser then reconnects and is let in afresh, or not.
 */
export function eventStream<T extends object>(
  feed: LiveFeed<T>,
  signal: AbortSignal,
  event: string,
  stillAllowed: () => Promise<boolean>,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      const close = () => {
        cleanup();
        try {
          controller.close();
        } catch {
          // Already closed or errored by the runtime: nothing left to end.
        }
      };
      let asking = false;
      const beat = async () => {
        // A slow answer is not asked for twice at once; the next heartbeat asks again.
        if (asking) return;
        asking = true;
        try {
          if (await stillAllowed()) write(": heartbeat\n\n");
          else close();
        } catch {
          close();
        } finally {
          asking = false;
        }
      };
      write(`retry: ${RETRY_MS}\n\n`);
      const unsubscribe = feed.subscribe((snapshot) => write(encodeEvent(event, snapshot)));
      const heartbeat = setInterval(() => void beat(), HEARTBEAT_MS);
      const untrack = trackStream(event);
      cleanup = () => {
        cleanup = () => {};
        clearInterval(heartbeat);
        unsubscribe();
        untrack();
      };
      if (signal.aborted) close();
      else signal.addEventListener("abort", close, { once: true });
    },
    cancel() {
      cleanup();
    },
  });
}

const globalFeed = globalThis as unknown as {
  prizeledgerDashboardFeed?: LiveFeed<DashboardSnapshot>;
};

/**
 * This process's dashboard feed. Claims served by any web instance reach it: the NOTIFY goes
 * through PostgreSQL, so instances need no other link between them.
 */
export function dashboardFeed(): LiveFeed<DashboardSnapshot> {
  globalFeed.prizeledgerDashboardFeed ??= createLiveFeed(sqlClient(getDb()), () =>
    getDashboard(getDb()),
  );
  return globalFeed.prizeledgerDashboardFeed;
}

// Every subscriber gets the same snapshot object: serialise it once, not once per open browser.
const encoded = new WeakMap<object, string>();

function encodeEvent(event: string, snapshot: object): string {
  let data = encoded.get(snapshot);
  if (data === undefined) {
    data = JSON.stringify(snapshot);
    encoded.set(snapshot, data);
  }
  return `event: ${event}\ndata: ${data}\n\n`;
}
