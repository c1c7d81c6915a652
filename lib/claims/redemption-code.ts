import "server-only";
import { randomInt } from "node:crypto";

// No 0/O, 1/I/L: codes are read aloud and typed by hand.
const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/** A 16-character code in four groups (~79 bits of entropy). */
export function newRedemptionCode(): string {
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let group = "";
    for (let i = 0; i < 4; i++) group += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(group);
  }
  return groups.join("-");
}
