/** Prize kinds and their labels: no server imports, so client components may use them. */
export const prizeKinds = ["gift_card", "crypto", "physical"] as const;
export type PrizeKind = (typeof prizeKinds)[number];

export const prizeKindLabels: Record<PrizeKind, string> = {
  gift_card: "Gift card",
  crypto: "Crypto token",
  physical: "Physical item",
};
