import "server-only";
import { type Env, env } from "@/lib/config/env";

export type VapidKeys = { publicKey: string; privateKey: string; subject: string };

/**
 * The keys pushes are signed with (the worker's); undefined when either is missing. With no
 * VAPID_SUBJECT, the address mail comes from is the contact push services are given.
 */
export function vapidKeys(config: Env = env()): VapidKeys | undefined {
  if (!config.VAPID_PUBLIC_KEY || !config.VAPID_PRIVATE_KEY) return undefined;
  const from = /<([^>]+)>/.exec(config.MAIL_FROM)?.[1] ?? config.MAIL_FROM.trim();
  return {
    publicKey: config.VAPID_PUBLIC_KEY,
    privateKey: config.VAPID_PRIVATE_KEY,
    subject: config.VAPID_SUBJECT ?? `mailto:${from}`,
  };
}

/** What subscribing needs of the configuration (the web instances'). */
export function pushOptions(config: Env = env()) {
  return { publicKey: config.VAPID_PUBLIC_KEY, allowInsecure: config.PUSH_ALLOW_INSECURE };
}
