/**
 * The gift-card products (brands) a provider-delivered prize may order, with the face values each
 * takes: the local provider's catalogue, and what the prize form offers. Safe in the browser.
 */
export const GIFTCARD_PRODUCTS = [
  { id: "amazon-us", name: "Amazon.com", minCents: 100, maxCents: 200_000, pin: false },
  { id: "target-us", name: "Target", minCents: 500, maxCents: 100_000, pin: false },
  { id: "starbucks-us", name: "Starbucks", minCents: 500, maxCents: 50_000, pin: true },
  { id: "visa-prepaid-us", name: "Visa Prepaid", minCents: 1_000, maxCents: 50_000, pin: true },
] as const;

export type GiftCardProductId = (typeof GIFTCARD_PRODUCTS)[number]["id"];
export const giftCardProductIds = GIFTCARD_PRODUCTS.map((p) => p.id) as [
  GiftCardProductId,
  ...GiftCardProductId[],
];
