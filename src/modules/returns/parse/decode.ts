/**
 * Bytes to text, as a stream. The encoding is decided once, at the start:
 * - a byte order mark says UTF-8, UTF-16 LE or UTF-16 BE (Excel's "Unicode text" is
 *   UTF-16 LE with a BOM, tab-separated); UTF-32 is refused;
 * - without one, the file is UTF-8 if its first non-ASCII character is valid UTF-8, and
 *   Windows-1252 (which covers Latin-1) otherwise: an old Excel
 *   "CSV" export of a name with an accent is read as its author sees it. A later byte
 *   that is not UTF-8 in a UTF-8 file becomes U+FFFD and makes its row INVALID;
 * - a NUL byte means the file is not text (a spreadsheet, an archive, UTF-16 without a
 *   BOM): the file fails, and the message says what it looks like.
 * Memory holds one piece (64 KiB of an in-memory file, or the source's own chunk).
 */
import { Buffer } from 'node:buffer';
import { TextDecoder } from 'node:util';
import type { ReturnsLimits } from '../types.js';
import { ReturnsFileError } from './errors.js';

export const RETURNS_ENCODINGS = ['UTF-8', 'UTF-16LE', 'UTF-16BE', 'WINDOWS-1252'] as const;
export type ReturnsEncoding = (typeof RETURNS_ENCODINGS)[number];

const PIECE_BYTES = 64 * 1024;
const NON_ASCII = /[\u0080-\uffff]/;

export type ByteSource = AsyncIterable<Uint8Array> | Uint8Array;

async function* piecesOf(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    for (let at = 0; at < source.byteLength; at += PIECE_BYTES) yield source.subarray(at, at + PIECE_BYTES);
    return;
  }
  for await (const chunk of source) if (chunk.byteLength) yield chunk;
}

function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const MAGIC: readonly { readonly bytes: readonly number[]; readonly what: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (an Excel .xlsx workbook?)' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an old Excel .xls workbook' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0x1f, 0x8b], what: 'a gzip archive' },
];

const SAVE_AS = 'Save it as CSV (UTF-8) or XML and send that file.';

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte);
}

function binaryError(head: Uint8Array): ReturnsFileError {
  const magic = MAGIC.find((each) => startsWith(head, each.bytes));
  if (magic) return new ReturnsFileError('BINARY', `The file is ${magic.what}, not a CSV or XML text file. ${SAVE_AS}`);
  // Text in UTF-16 without a byte order mark has a NUL in every other byte.
  const sample = head.subarray(0, 512);
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) i % 2 === 0 ? evenNuls++ : oddNuls++;
  const half = sample.length / 2;
  if (evenNuls > half * 0.8 || oddNuls > half * 0.8) {
    return new ReturnsFileError('UNSUPPORTED_ENCODING', `The file looks like UTF-16 text without a byte order mark, which cannot be told apart from binary data. ${SAVE_AS}`);
  }
  return new ReturnsFileError('BINARY', `The file holds NUL bytes, so it is binary data, not a CSV or XML text file. ${SAVE_AS}`);
}

/**
 * Whether the non-ASCII character at `start` is valid UTF-8 (a sequence cut off by the end
 * of the piece counts as valid). Windows-1252 text almost never is: its accented letter is
 * one byte followed by ASCII, where UTF-8 wants continuation bytes.
 */
function looksLikeUtf8(bytes: Uint8Array, start: number): boolean {
  const lead = bytes[start]!;
  const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (length === 0) return false;
  for (let k = 1; k < length && start + k < bytes.length; k++) {
    const next = bytes[start + k]!;
    if (next < 0x80 || next > 0xbf) return false;
  }
  return true;
}

/** Text pieces of the file, and the encoding once it is known (`undefined` while every byte so far is ASCII). */
export class TextSource {
  private readonly pieces: AsyncGenerator<Uint8Array>;
  private decoder: TextDecoder | undefined;
  private checkNul = true;
  private started = false;
  private ended = false;
  private bytes = 0;
  encoding: ReturnsEncoding | undefined;

  constructor(
    source: ByteSource,
    private readonly limits: ReturnsLimits,
  ) {
    if (source instanceof Uint8Array && source.byteLength > limits.maxBytes) throw tooBig(limits);
    this.pieces = piecesOf(source);
  }

  /** The next piece of text ('' when a piece decoded to nothing yet), or null at the end. */
  async next(): Promise<string | null> {
    let { value, done } = await this.pieces.next();
    // The first bytes are read together, so that a byte order mark cut by the source's chunking is still seen.
    while (!this.started && !done && value.byteLength < 4) {
      const more = await this.pieces.next();
      if (more.done) break;
      value = Buffer.concat([value, more.value]);
    }
    if (done) {
      if (!this.started) throw new ReturnsFileError('EMPTY', 'The file is empty: it has no header and no rows.');
      if (this.ended) return null;
      this.ended = true;
      // A sequence cut off by the end of the file decodes to U+FFFD.
      return this.decoder?.decode() || null;
    }
    this.bytes += value.byteLength;
    if (this.bytes > this.limits.maxBytes) throw tooBig(this.limits);
    let piece = value;
    if (!this.started) {
      this.started = true;
      piece = this.start(piece);
    }
    if (this.checkNul && bufferOf(piece).indexOf(0) !== -1) throw binaryError(this.bytes === value.byteLength ? value : piece);
    if (this.decoder) {
      const text = this.decoder.decode(piece, { stream: true });
      if (!this.checkNul && text.includes('\u0000')) throw binaryError(new Uint8Array());
      return text;
    }
    const text = bufferOf(piece).toString('latin1');
    const firstNonAscii = text.search(NON_ASCII);
    if (firstNonAscii === -1) return text;
    const utf8 = looksLikeUtf8(piece, firstNonAscii);
    this.encoding = utf8 ? 'UTF-8' : 'WINDOWS-1252';
    this.decoder = new TextDecoder(utf8 ? 'utf-8' : 'windows-1252', { ignoreBOM: true });
    return text.slice(0, firstNonAscii) + this.decoder.decode(piece.subarray(firstNonAscii), { stream: true });
  }

  /** Reads the byte order mark, if any, and refuses what is not text; returns the piece without its BOM. */
  private start(piece: Uint8Array): Uint8Array {
    if (startsWith(piece, [0xff, 0xfe, 0x00, 0x00]) || startsWith(piece, [0x00, 0x00, 0xfe, 0xff])) {
      throw new ReturnsFileError('UNSUPPORTED_ENCODING', `The file is UTF-32 text, which is not accepted. ${SAVE_AS}`);
    }
    if (startsWith(piece, [0xef, 0xbb, 0xbf])) {
      this.encoding = 'UTF-8';
      this.decoder = new TextDecoder('utf-8', { ignoreBOM: true });
      return piece.subarray(3);
    }
    for (const [bom, encoding] of [
      [[0xff, 0xfe], 'UTF-16LE'],
      [[0xfe, 0xff], 'UTF-16BE'],
    ] as const) {
      if (startsWith(piece, bom)) {
        this.encoding = encoding;
        this.decoder = new TextDecoder(encoding === 'UTF-16LE' ? 'utf-16le' : 'utf-16be', { ignoreBOM: true });
        // UTF-16 has NUL bytes in every ASCII character; a NUL character is looked for in the text instead.
        this.checkNul = false;
        return piece.subarray(2);
      }
    }
    return piece;
  }
}

function tooBig(limits: ReturnsLimits): ReturnsFileError {
  return new ReturnsFileError('TOO_BIG', `The file is larger than ${formatBytes(limits.maxBytes)} (the limit); split it into smaller files.`);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
