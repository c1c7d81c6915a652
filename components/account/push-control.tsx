"use client";

import { useEffect, useState, useTransition } from "react";
import type { FormState } from "@/lib/actions/form-state";
import type { PushState } from "@/lib/push/model";

type Subscribe = (subscription: unknown) => Promise<FormState<PushState>>;
type Unsubscribe = (endpoint: unknown) => Promise<FormState<PushState>>;

/** Where this browser stands: what the control can offer. */
type Status = "checking" | "unsupported" | "denied" | "off" | "on";

/** The VAPID key as PushManager.subscribe takes it: the bytes of its base64url. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const text = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

const supported = () =>
  "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

async function currentSubscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.getRegistration("/");
  return (await registration?.pushManager.getSubscription()) ?? null;
}

/**
 * Turns Web Push on or off in this browser: asks for the permission, subscribes with the server's
 * VAPID key through the service worker (public/sw.js) and hands the subscription to the server;
 * off, unsubscribes and tells the server. `publicKey` null: push is off on this server.
 */
export function PushControl({
  publicKey,
  elsewhere,
  subscribe,
  unsubscribe,
}: {
  publicKey: string | null;
  /** Browsers the player gets pushes in, this one included if on. */
  elsewhere: number;
  subscribe: Subscribe;
  unsubscribe: Unsubscribe;
}) {
  const [status, setStatus] = useState<Status>("checking");
  const [error, setError] = useState<string>();
  const [count, setCount] = useState(elsewhere);
  const [busy, start] = useTransition();

  useEffect(() => {
    if (!supported()) return setStatus("unsupported");
    if (Notification.permission === "denied") return setStatus("denied");
    void currentSubscription().then((s) => setStatus(s ? "on" : "off"));
  }, []);

  const turnOn = () =>
    start(async () => {
      setError(undefined);
      if (!publicKey) return;
      try {
        const permission = await Notification.requestPermission();
        if (permission !== "granted") {
          setStatus(permission === "denied" ? "denied" : "off");
          return;
        }
        const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
        await navigator.serviceWorker.ready;
        const subscription = await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(publicKey),
        });
        const saved = await subscribe(subscription.toJSON());
        if (!saved.data) {
          await subscription.unsubscribe();
          setError(saved.error ?? "The server did not take this browser's subscription");
          return;
        }
        setCount(saved.data.subscriptions);
        setStatus("on");
      } catch (thrown) {
        setError(
          `This browser could not subscribe: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
        );
      }
    });

  const turnOff = () =>
    start(async () => {
      setError(undefined);
      const subscription = await currentSubscription();
      if (subscription) {
        const removed = await unsubscribe(subscription.endpoint);
        // Already gone on the server (a push service answered 410): off all the same.
        if (removed.data) setCount(removed.data.subscriptions);
        else if (removed.code !== "not_found") {
          setError(removed.error ?? "The server could not turn push off");
          return;
        }
        await subscription.unsubscribe();
      }
      setStatus("off");
    });

  const line = {
    checking: "Checking this browser…",
    unsupported: "This browser cannot receive push notifications.",
    denied:
      "Notifications are blocked for this site in this browser: allow them in its site settings, then come back.",
    off: "Off in this browser.",
    on: "On in this browser.",
  }[status];
  return (
    <div className="stack" data-testid="push-control" data-status={status}>
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {publicKey === null ? (
        <p className="muted" data-testid="push-status">
          Push notifications are off on this server.
        </p>
      ) : (
        <>
          <p data-testid="push-status" role="status">
            {line}
            {count > 0 && ` You get them in ${count} browser${count === 1 ? "" : "s"}.`}
          </p>
          {status === "off" && (
            <div>
              <button type="button" onClick={turnOn} disabled={busy}>
                {busy ? "Waiting for the browser…" : "Turn on push notifications"}
              </button>
            </div>
          )}
          {status === "on" && (
            <div>
              <button type="button" className="secondary" onClick={turnOff} disabled={busy}>
                {busy ? "Turning off…" : "Turn off push notifications"}
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
