import { Temporal } from 'temporal-polyfill';

// Letters, digits and the separators used by tz database names; rules out offsets like
// "+01:00" and anything else that is not a region's name.
const IANA_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

/**
 * True for IANA time zone names exactly as spelled in the tz database (for example
 * "America/New_York", "Europe/Berlin", "UTC"). Mis-cased names are rejected even though
 * Temporal would normalise them, so that the stored value is always the canonical
 * spelling. The one check for every account, program and date computation.
 */
export function isValidTimeZone(timeZone: string): boolean {
  if (!IANA_NAME_PATTERN.test(timeZone)) return false;
  try {
    return new Temporal.ZonedDateTime(0n, timeZone).timeZoneId === timeZone;
  } catch {
    return false;
  }
}
