/**
 * The local test payment provider as a process of its own (started by `npm start` and the e2e
 * stack): PAYMENTS_PORT, PAYMENT_WEBHOOK_SECRET, PAYMENT_WEBHOOK_URL, PAYMENTS_STORE.
 */
import { createTestProviderServer } from "../lib/payments/test-provider-server";

const required = (name: string): string => {
  const value = process.env[name]?.trim();
  if (!value) {
    console.error(`payment-provider: ${name} must be set`);
    process.exit(1);
  }
  return value;
};

const port = Number(required("PAYMENTS_PORT"));
const server = createTestProviderServer({
  secret: required("PAYMENT_WEBHOOK_SECRET"),
  webhookUrl: required("PAYMENT_WEBHOOK_URL"),
  storeFile: required("PAYMENTS_STORE"),
  publicUrl: `http://localhost:${port}`,
  log: (line) => console.log(`[payments] ${line}`),
});
server.listen(port, "127.0.0.1", () => console.log(`[payments] test provider on port ${port}`));
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
