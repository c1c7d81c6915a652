import "server-only";
import { readAtMost } from "@/lib/http/read-at-most";
import { signatureProblem } from "@/lib/payments/webhook-signature";
import { formatCoins } from "@/lib/wallet/model";
import {
  errorAnswerSchema,
  externalIdSchema,
  GIFTCARD_SIGNATURE_HEADER,
  type Order,
  orderAnswerSchema,
  orderListSchema,
  orderRequestSchema,
  webhookEventSchema,
} from "./giftcard-wire";
import {
  DeliveryError,
  type DeliveryErrorCode,
  type DeliveryProvider,
  type ProviderOrderState,
} from "./model";
import { parseRetryAfter } from "./retry-after";

/**
 * A gift-card provider reached over HTTP: the local provider service
 * (scripts/giftcard-provider.ts), or a real one speaking the same API. Every failure becomes a
 * DeliveryError saying whether a retry may help; nothing else escapes.
 */
export type GiftCardProviderConfig = {
  baseUrl: string;
  apiKey: string;
  /** The secret the provider signs its webhooks with. */
  webhookSecret: string;
  /** How long one request may take, answer included. */
  timeoutMs?: number;
};

export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;
/** An answer is one order or a short list: anything longer is not an answer we read. */
const MAX_ANSWER_BYTES = 256 * 1024;

type Answer = { status: number; headers: Headers; json: unknown };

async function readLimited(response: Response): Promise<string> {
  const text = await readAtMost(response, MAX_ANSWER_BYTES);
  if (text === undefined)
    throw new DeliveryError("invalid_answer", "The provider's answer is too long");
  return text;
}

const statusOf = {
  PENDING: "submitted",
  EXECUTED: "delivered",
  FAILED: "failed",
  CANCELLED: "cancelled",
} as const satisfies Record<Order["status"], ProviderOrderState["status"]>;

function stateOf(order: Order, code: DeliveryErrorCode): ProviderOrderState {
  if (order.status === "EXECUTED" && !order.reward) {
    throw new DeliveryError(code, `Order ${order.id} is executed but carries no reward`);
  }
  return {
    reference: order.id,
    externalId: order.external_id,
    status: statusOf[order.status],
    version: order.version,
    reward: order.reward
      ? { code: order.reward.code, pin: order.reward.pin, link: order.reward.link }
      : null,
    failureReason: order.failure_reason,
    updatedAt: order.updated_at,
  };
}

/** The error a refusal stands for: 429, 408 and 5xx may pass; other 4xx will not. */
function refusal(answer: Answer): DeliveryError {
  const { status } = answer;
  const body = errorAnswerSchema.safeParse(answer.json);
  const said = body.success ? `: ${body.data.error.code} (${body.data.error.message})` : "";
  const retryAfterMs = parseRetryAfter(answer.headers.get("retry-after"));
  const details = { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  const message = `The gift-card provider answered HTTP ${status}${said}`;
  if (status === 429) return new DeliveryError("provider_rate_limited", message, details);
  if (status === 408 || (status >= 500 && status <= 599)) {
    return new DeliveryError("provider_unavailable", message, details);
  }
  if (status === 401 || status === 403) {
    return new DeliveryError("provider_unauthorised", message, details);
  }
  if (status === 409) return new DeliveryError("idempotency_conflict", message, details);
  if (status >= 400 && status <= 499) {
    return new DeliveryError("provider_rejected", message, details);
  }
  return new DeliveryError("invalid_answer", message, details);
}

export function giftCardProvider(config: GiftCardProviderConfig): DeliveryProvider {
  const baseUrl = config.baseUrl.replace(/\/+$/, "");
  const timeoutMs = config.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS;
  // Checked here, at configuration: a bad value must not surface later as a failed delivery.
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    throw new Error(
      `The gift-card provider's timeout is a positive number of ms, not ${timeoutMs}`,
    );
  }
  if (!/^https?:\/\/[^/]/.test(baseUrl)) {
    throw new Error("The gift-card provider's URL is an http(s) URL");
  }

  const call = async (
    method: "GET" | "POST",
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<Answer> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${config.apiKey}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
        // A redirect would carry the API key to wherever it points.
        redirect: "manual",
      });
      const text = await readLimited(response);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, json };
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      if (signal?.aborted) throw new DeliveryError("aborted", "Delivery was cancelled");
      if (timeout.aborted) {
        throw new DeliveryError(
          "provider_timeout",
          `The gift-card provider did not answer within ${timeoutMs} ms`,
        );
      }
      throw new DeliveryError(
        "provider_unavailable",
        `The gift-card provider could not be reached: ${(error as Error).message}`,
      );
    }
  };

  const lookup: DeliveryProvider["lookup"] = async (externalId, options = {}) => {
    if (!externalIdSchema.safeParse(externalId).success) return null;
    const answer = await call(
      "GET",
      `/orders?external_id=${encodeURIComponent(externalId)}`,
      undefined,
      options.signal,
    );
    if (answer.status !== 200) throw refusal(answer);
    const body = orderListSchema.safeParse(answer.json);
    if (!body.success) {
      throw new DeliveryError("invalid_answer", "The provider's answer is not a list of orders");
    }
    const found = body.data.orders.filter((order) => order.external_id === externalId);
    if (found.length > 1) {
      throw new DeliveryError(
        "invalid_answer",
        `The provider has ${found.length} orders for one id`,
      );
    }
    return found[0] ? stateOf(found[0], "invalid_answer") : null;
  };

  return {
    name: "giftcard",

    async submit(order, options = {}) {
      const request = orderRequestSchema.safeParse({
        external_id: order.externalId,
        product_id: order.productId,
        value: {
          denomination: Number.isSafeInteger(order.amountCents)
            ? formatCoins(order.amountCents)
            : "",
          currency_code: order.currency,
        },
        recipient: order.recipient,
      });
      if (!request.success || order.amountCents <= 0) {
        const issue = request.error?.issues[0];
        throw new DeliveryError(
          "provider_rejected",
          `The order cannot be sent: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "the amount is not positive"}`,
        );
      }
      const answer = await call("POST", "/orders", request.data, options.signal);
      const body = orderAnswerSchema.safeParse(answer.json);
      const ours = body.success && body.data.order.external_id === order.externalId;
      // A failed order comes as 422 (or, from some providers, 200): not the 409 of a reused key.
      const settled = answer.status === 422 || (answer.status >= 200 && answer.status <= 299);
      if (ours && settled && body.data.order.status === "FAILED") {
        const failed = body.data.order;
        throw new DeliveryError(
          "order_failed",
          `The gift-card provider failed order ${failed.id}: ${failed.failure_reason ?? "no reason given"}`,
          { reference: failed.id, status: answer.status },
        );
      }
      if (answer.status < 200 || answer.status > 299) throw refusal(answer);
      if (!ours) {
        throw new DeliveryError("invalid_answer", "The provider's answer is not our order", {
          status: answer.status,
        });
      }
      const state = stateOf(body.data.order, "invalid_answer");
      if (state.status === "delivered" && state.reward) {
        return { status: "delivered", reference: state.reference, reward: state.reward };
      }
      return { status: "submitted", reference: state.reference };
    },

    lookup,

    async cancel(externalId, options = {}) {
      const found = await lookup(externalId, options);
      if (!found) return { status: "cancelled", order: null };
      const answer = await call(
        "POST",
        `/orders/${encodeURIComponent(found.reference)}/cancel`,
        undefined,
        options.signal,
      );
      const body = orderAnswerSchema.safeParse(answer.json);
      const ours = body.success && body.data.order.external_id === externalId;
      if (answer.status === 409 && ours && body.data.order.redeemed_at) {
        return {
          status: "not_cancellable",
          reason: "redeemed",
          order: stateOf(body.data.order, "invalid_answer"),
        };
      }
      if (answer.status !== 200) throw refusal(answer);
      if (!ours)
        throw new DeliveryError("invalid_answer", "The provider's answer is not our order");
      const state = stateOf(body.data.order, "invalid_answer");
      // A failed order issued nothing; any other state than these is not a cancellation.
      if (state.status !== "cancelled" && state.status !== "failed") {
        throw new DeliveryError(
          "invalid_answer",
          `The provider left order ${state.reference} ${state.status}`,
        );
      }
      return { status: "cancelled", order: state };
    },

    verifyWebhook(rawBody, headers, now = new Date()) {
      const problem = signatureProblem(
        config.webhookSecret,
        headers.get(GIFTCARD_SIGNATURE_HEADER),
        rawBody,
        now,
      );
      if (problem) throw new DeliveryError("invalid_signature", `Webhook refused: ${problem}`);
      let json: unknown;
      try {
        // Strict: a byte-order mark or invalid UTF-8 is not a JSON body.
        json = JSON.parse(
          new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(rawBody),
        );
      } catch {
        throw new DeliveryError("invalid_webhook", "The webhook body is not JSON");
      }
      const event = webhookEventSchema.safeParse(json);
      if (!event.success) {
        throw new DeliveryError("invalid_webhook", "The webhook body is not a gift-card event");
      }
      return { eventId: event.data.id, order: stateOf(event.data.data.order, "invalid_webhook") };
    },
  };
}
