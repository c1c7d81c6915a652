/** Games as the browser may see them. */

export const gameIds = ["dice", "scratch"] as const;
export type GameId = (typeof gameIds)[number];

/** A player's server seed: the next one is committed while the active one is in play. */
export const fairSeedStatuses = ["next", "active", "revealed"] as const;
export type FairSeedStatus = (typeof fairSeedStatuses)[number];
