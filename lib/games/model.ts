/** Games as the browser may see them: ids, the fairness seeds' states, what a round shows. */

export const gameIds = ["dice", "scratch"] as const;
export type GameId = (typeof gameIds)[number];

/** A player's server seed: the next one is committed while the active one is in play. */
export const fairSeedStatuses = ["next", "active", "revealed"] as const;
export type FairSeedStatus = (typeof fairSeedStatuses)[number];

/** The largest stake of a round, in minor units (1,000,000.00 coins): payouts stay exact. */
export const MAX_STAKE_MINOR = 100_000_000;
