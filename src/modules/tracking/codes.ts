import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// 248 = 4 × 62: bytes at or above it are dropped so every character is equally likely.
const UNBIASED_LIMIT = 248;

/** Link codes: 12 base62 characters, about 71 bits, so codes cannot be enumerated. */
export const LINK_CODE_LENGTH = 12;
/**
 * Click ids: 22 base62 characters, URL-safe. The first 8 are the click's time in
 * milliseconds, the other 14 are random (about 83 bits, more than a UUIDv7's 74). So an
 * id cannot be guessed, yet ids sort by time (byte order: the alphabet is in ASCII
 * order): each click's key goes at the end of the clicks table's primary-key index
 * instead of onto a random page of it, which the group commit of clicks feels on every
 * row, and more so as the table grows.
 */
export const CLICK_ID_LENGTH = 22;
const CLICK_ID_TIME_LENGTH = 8;
const MAX_CLICK_ID_TIME = 62 ** CLICK_ID_TIME_LENGTH - 1;

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

/** A click id for a click at `at` (ordered by time, see CLICK_ID_LENGTH). */
export function newClickId(at: Date): string {
  return clickIdTimePrefix(at) + randomBase62(CLICK_ID_LENGTH - CLICK_ID_TIME_LENGTH);
}

/**
 * The first characters of every click id of the millisecond `at`: each id of a click
 * before `at` sorts below it, each id of a click at or after `at` above it (the credit
 * job's cursor walks the clicks in this order).
 */
export function clickIdTimePrefix(at: Date): string {
  let time = at.getTime();
  if (!(time >= 0 && time <= MAX_CLICK_ID_TIME)) throw new RangeError(`A click id cannot encode the time ${at.toISOString()}.`);
  let prefix = '';
  for (let i = 0; i < CLICK_ID_TIME_LENGTH; i++) {
    prefix = ALPHABET[time % 62]! + prefix;
    time = Math.floor(time / 62);
  }
  return prefix;
}

/**
 * What a link code may look like. Wider than what we generate today, so that a later
 * change of length keeps old links working; anything else is answered without a query.
 */
export function isWellFormedLinkCode(code: string): boolean {
  return /^[0-9A-Za-z]{6,32}$/.test(code);
}
