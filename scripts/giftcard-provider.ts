/**
 * The local gift-card provider as a process of its own: GIFTCARD_PORT (0: any free port; the
 * line "listening on <url>" names it), GIFTCARD_API_KEY, GIFTCARD_WEBHOOK_SECRET,
 * GIFTCARD_DATA_DIR, and optionally GIFTCARD_WEBHOOK_URL, GIFTCARD_ADMIN_TOKEN, GIFTCARD_FAULTS
 * (JSON knobs), GIFTCARD_PUBLIC_URL. docs/delivery.md.
 */
import type { AddressInfo } from "node:net";
import { createGiftCardProviderServer } from "../lib/delivery/giftcard-provider-server";
import { faultsPatchSchema } from "../lib/delivery/giftcard-wire";

const fail = (message: string): never => {
  console.error(`giftcard-provider: ${message}`);
  process.exit(1);
};
const optional = (name: string): string | undefined => process.env[name]?.trim() || undefined;
const required = (name: string): string => optional(name) ?? fail(`${name} must be set`);

const port = Number(required("GIFTCARD_PORT"));
if (!Number.isInteger(port) || port < 0 || port > 65_535) fail("GIFTCARD_PORT is a port number");
let faultsJson: unknown = {};
try {
  faultsJson = JSON.parse(optional("GIFTCARD_FAULTS") ?? "{}");
} catch {
  fail('GIFTCARD_FAULTS is JSON, e.g. {"latencyMs":200,"share429":0.1}');
}
const faults = faultsPatchSchema.safeParse(faultsJson);
if (!faults.success) fail(`GIFTCARD_FAULTS: ${faults.error?.issues[0]?.message ?? "invalid"}`);
const webhookSecret = required("GIFTCARD_WEBHOOK_SECRET");
if (webhookSecret.length < 32) fail("GIFTCARD_WEBHOOK_SECRET must be at least 32 characters");
const webhookUrl = optional("GIFTCARD_WEBHOOK_URL");
if (webhookUrl && !/^https?:\/\//.test(webhookUrl)) fail("GIFTCARD_WEBHOOK_URL is an http(s) URL");
const publicUrl = optional("GIFTCARD_PUBLIC_URL");
if (publicUrl && !/^https?:\/\//.test(publicUrl)) fail("GIFTCARD_PUBLIC_URL is an http(s) URL");

const provider = await createGiftCardProviderServer({
  apiKey: required("GIFTCARD_API_KEY"),
  adminToken: optional("GIFTCARD_ADMIN_TOKEN"),
  webhookSecret,
  webhookUrl,
  dataDir: required("GIFTCARD_DATA_DIR"),
  faults: faults.data,
  publicUrl,
  log: (line) => console.log(`[giftcard] ${line}`),
});
provider.server.on("error", (error) => fail(error.message));
provider.server.listen(port, "127.0.0.1", () => {
  const { port: bound } = provider.server.address() as AddressInfo;
  console.log(`[giftcard] listening on http://127.0.0.1:${bound}`);
});
const stop = () => void provider.close().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
