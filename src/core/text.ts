/**
 * Text PostgreSQL cannot store. Its `text` type refuses the NUL character outright, and
 * a JavaScript string holding a lone UTF-16 surrogate has no UTF-8 form: the driver
 * writes U+FFFD in its place, so what is stored is not what was sent (an OrderId stored
 * under another value than the one the client will retry with). Every edge refuses both
 * before anything reaches a service: HTTP requests here (app.ts), files and channels
 * through the same function.
 */

export interface UnstorableText {
  /** Where the text is, in the caller's terms: `body.Items.0.Sku`, `query.orderId`. */
  field: string;
  message: string;
}

/** Bounds the walk: a request nested deeper than this is refused as malformed anyway. */
const MAX_DEPTH = 64;

function problemOf(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (U+0000), which cannot be stored; remove it';
  if (!text.isWellFormed()) {
    return 'contains a lone UTF-16 surrogate (e.g. \\ud800 without its pair), which is not valid Unicode; send well-formed UTF-8 text';
  }
  return undefined;
}

/**
 * The first string (value or object key) in `value` that cannot be stored, or undefined.
 * Numbers, booleans and null are fine as they are.
 */
export function findUnstorableText(value: unknown, field: string, depth = 0): UnstorableText | undefined {
  if (typeof value === 'string') {
    const message = problemOf(value);
    return message ? { field, message } : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= MAX_DEPTH) return { field, message: `is nested more than ${MAX_DEPTH} levels deep` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], `${field}.${i}`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const keyProblem = problemOf(key);
    if (keyProblem) return { field: `${field} (a field name)`, message: keyProblem };
    const found = findUnstorableText((value as Record<string, unknown>)[key], `${field}.${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** True when the text can be stored as it is. */
export function isStorableText(text: string): boolean {
  return problemOf(text) === undefined;
}

/**
 * A spreadsheet opening a CSV runs a text cell that starts with = + - @ (or a tab or
 * carriage return before one) as a formula: such text gets a leading apostrophe, which
 * spreadsheets read as "this is text" (OWASP's advice for CSV injection).
 */
export function guardSpreadsheetFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
