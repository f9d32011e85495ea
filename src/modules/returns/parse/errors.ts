/** Why a file as a whole cannot be read. */
export const RETURNS_FILE_ERROR_CODES = [
  'EMPTY',
  'BINARY',
  'UNSUPPORTED_ENCODING',
  'TOO_BIG',
  'TOO_MANY_ROWS',
  'TOO_MANY_COLUMNS',
  'HEADER_TOO_LONG',
  'COLUMNS',
  'NOT_XML',
  'XML_DTD',
  'XML_TOO_DEEP',
  'XML_MALFORMED',
] as const;
export type ReturnsFileErrorCode = (typeof RETURNS_FILE_ERROR_CODES)[number];

/**
 * A returns file that cannot be read at all, with a message for the person who sent it
 * (it names no personal data: at most column names and limits). Thrown by
 * `readReturnsFile` for what its start shows, and by its rows' iteration for what only
 * appears later (a NUL byte at 40 MB, the 1,000,001st row, XML that breaks off).
 */
export class ReturnsFileError extends Error {
  override readonly name = 'ReturnsFileError';
  constructor(
    readonly code: ReturnsFileErrorCode,
    message: string,
  ) {
    super(message);
  }
}
