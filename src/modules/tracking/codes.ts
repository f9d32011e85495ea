import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// 248 = 4 × 62: bytes at or above it are dropped so every character is equally likely.
const UNBIASED_LIMIT = 248;

/** Link codes: 12 base62 characters, about 71 bits, so codes cannot be enumerated. */
export const LINK_CODE_LENGTH = 12;
/** Click ids: 22 base62 characters, about 131 bits, as unguessable as a UUIDv4 and URL-safe. */
export const CLICK_ID_LENGTH = 22;

// Drawing from a pooled buffer keeps the click path free of a randomBytes call per click.
let pool = Buffer.alloc(0);
let poolOffset = 0;

function nextByte(): number {
  if (poolOffset >= pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  return pool[poolOffset++]!;
}

/** A random string of base62 characters from a cryptographic source. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = nextByte();
    if (byte < UNBIASED_LIMIT) out += ALPHABET[byte % 62];
  }
  return out;
}

export function newLinkCode(): string {
  return randomBase62(LINK_CODE_LENGTH);
}

export function newClickId(): string {
  return randomBase62(CLICK_ID_LENGTH);
}

/**
 * What a link code may look like. Wider than what we generate today, so that a later
 * change of length keeps old links working; anything else is answered without a query.
 */
export function isWellFormedLinkCode(code: string): boolean {
  return /^[0-9A-Za-z]{6,32}$/.test(code);
}
