import "server-only";
import { z } from "zod";
import { appUrl, type Env, env } from "@/lib/config/env";
import { AppError } from "@/lib/errors/app-error";
import { type PaymentEvent, testProviderWebhookSchema } from "./model";
import { SIGNATURE_HEADER, signatureProblem } from "./webhook-signature";

/**
 * What the app needs of a payment processor. Real processors plug in behind this; the embedded
 * default is the local test provider (scripts/payment-provider.ts), which behaves like a card
 * processor's test mode: an intent, a hosted confirm page, and a signed webhook later.
 */
export type PaymentProvider = {
  name: string;
  /**
   * The one origin (scheme, host, port) of the pages players are sent to: a confirm URL from
   * anywhere else is refused, not followed (assertConfirmUrl).
   */
  confirmOrigin: string;
  /**
   * Creates (or, for a reference seen before, returns) the intent to pay `amountCents` US cents.
   * The reference is our payment id and the provider's idempotency key, so a retry after a lost
   * answer finds the same intent.
   */
  createIntent(intent: {
    reference: string;
    amountCents: number;
    currency: string;
    description: string;
    returnUrl: string;
  }): Promise<{ providerRef: string; confirmUrl: string }>;
  /**
   * The event of a webhook whose signature holds over exactly the bytes received; throws
   * `invalid_signature` otherwise, before anything of the body is decoded or parsed.
   */
  parseWebhook(body: Uint8Array, headers: Headers, now?: Date): PaymentEvent;
};

/**
 * The secret `npm start` and the tests use when PAYMENT_WEBHOOK_SECRET is unset. It is public:
 * `npm run web` refuses to start without a secret of its own.
 */
export const DEV_WEBHOOK_SECRET = "prizeledger-development-webhook-secret-not-for-production";

export function paymentProviderUrl(config: Env = env()): string {
  return (
    config.PAYMENT_PROVIDER_URL ?? `http://127.0.0.1:${config.EMBEDDED_PAYMENTS_PORT}`
  ).replace(/\/+$/, "");
}

const intentAnswer = z.object({ id: z.string().min(1), confirmUrl: z.url() });

/** The local test provider, reached over HTTP at `baseUrl`, sharing `secret` with the app. */
export function testPaymentProvider(baseUrl: string, secret: string): PaymentProvider {
  return {
    name: "test",
    confirmOrigin: new URL(baseUrl).origin,
    async createIntent(intent) {
      let response: Response;
      try {
        response = await fetch(`${baseUrl}/v1/intents`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${secret}` },
          body: JSON.stringify(intent),
          signal: AbortSignal.timeout(10_000),
        });
      } catch (error) {
        throw new AppError(
          "payment_provider_error",
          `The payment provider could not be reached: ${(error as Error).message}`,
        );
      }
      const parsed = intentAnswer.safeParse(await response.json().catch(() => null));
      if (!response.ok || !parsed.success) {
        throw new AppError(
          "payment_provider_error",
          `The payment provider refused the payment (HTTP ${response.status})`,
        );
      }
      return { providerRef: parsed.data.id, confirmUrl: parsed.data.confirmUrl };
    },
    parseWebhook(body, headers, now = new Date()) {
      const problem = signatureProblem(secret, headers.get(SIGNATURE_HEADER), body, now);
      if (problem) throw new AppError("invalid_signature", `Webhook refused: ${problem}`);
      let json: unknown;
      try {
        // ignoreBOM: a byte order mark is kept, and refused by JSON.parse, never dropped quietly.
        json = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(body));
      } catch {
        throw new AppError("bad_request", "The webhook body is not JSON");
      }
      const event = testProviderWebhookSchema.parse(json);
      return {
        eventId: event.id,
        outcome: event.type === "payment.succeeded" ? "succeeded" : "failed",
        reference: event.data.reference,
        providerRef: event.data.intent,
        amountCents: event.data.amountCents,
        currency: event.data.currency,
        failureReason: event.data.failureReason,
      };
    },
  };
}

const globalProvider = globalThis as unknown as { prizeledgerPaymentProvider?: PaymentProvider };

/** This deployment's provider (tests put one of their own in its place). */
export function paymentProvider(): PaymentProvider {
  if (!globalProvider.prizeledgerPaymentProvider) {
    const config = env();
    globalProvider.prizeledgerPaymentProvider = testPaymentProvider(
      paymentProviderUrl(config),
      config.PAYMENT_WEBHOOK_SECRET ?? DEV_WEBHOOK_SECRET,
    );
  }
  return globalProvider.prizeledgerPaymentProvider;
}

export function setPaymentProvider(provider: PaymentProvider): void {
  globalProvider.prizeledgerPaymentProvider = provider;
}

/**
 * The provider's confirm page, checked before the player is sent there: an http(s) URL on the
 * provider's own origin. Anything else (javascript:, data:, another site) would turn our
 * redirect into the provider's (or an attacker's) choice of destination.
 */
export function assertConfirmUrl(provider: PaymentProvider, confirmUrl: string): string {
  let url: URL | undefined;
  try {
    url = new URL(confirmUrl);
  } catch {
    url = undefined;
  }
  if (
    !url ||
    (url.protocol !== "https:" && url.protocol !== "http:") ||
    url.origin !== provider.confirmOrigin
  ) {
    throw new AppError(
      "payment_provider_error",
      "The payment provider gave a payment page outside its own site: nothing was charged",
    );
  }
  return url.href;
}

/** Where the provider sends the player back after the confirm step. */
export function purchaseReturnUrl(paymentId: string): string {
  return `${appUrl()}/wallet?purchase=${paymentId}`;
}
