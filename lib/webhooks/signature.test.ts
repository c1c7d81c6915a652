import { describe, expect, it } from "vitest";
import { generateWebhookSecret, signWebhook } from "./signature";

describe("signWebhook", () => {
  // The Standard Webhooks reference libraries' own vector (libraries/go/webhook_test.go,
  // TestWebhookSign): the `standardwebhooks` package is not installed here to check against.
  it("matches the specification's published example", () => {
    expect(
      signWebhook(["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], {
        id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp: 1614265330,
        body: '{"test": 2432232314}',
      }),
    ).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("sends one signature per secret, space-separated, while a rotated secret still signs", () => {
    const message = { id: "evt_1", timestamp: 1_700_000_000, body: "{}" };
    const [a, b] = [generateWebhookSecret(), generateWebhookSecret()];
    expect(signWebhook([a, b], message)).toBe(
      `${signWebhook([a], message)} ${signWebhook([b], message)}`,
    );
  });

  it("generates distinct whsec_ secrets of 32 bytes", () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });
});
