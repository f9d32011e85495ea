/**
 * PostgreSQL's COPY text format, for Db.copyRows: one line per row, fields separated by
 * a tab, NULL written as \N, and the four characters that would break a line (backslash,
 * tab, newline, carriage return) escaped with a backslash. Everything else is taken as
 * it is, so any text survives the round trip unchanged, except NUL, which no PostgreSQL
 * text value can hold: callers remove it first (as the click path does), and a NUL
 * reaching this encoder is a programming error.
 */

const SPECIAL = /[\\\t\n\r\0]/;
const SPECIAL_ALL = /[\\\t\n\r\0]/g;

function escapeChar(char: string): string {
  switch (char) {
    case '\\':
      return '\\\\';
    case '\t':
      return '\\t';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    default:
      throw new TypeError('COPY text cannot carry a NUL character; remove it before writing.');
  }
}

/** One field: a string, a number, a bigint, a date (ISO 8601, UTC) or null. */
export function copyField(value: string | number | bigint | Date | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'string') return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, escapeChar) : value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`COPY text cannot carry the number ${value}.`);
  return String(value);
}
