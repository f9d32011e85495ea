/**
 * A streaming CSV tokenizer (RFC 4180): fed text pieces, it hands over each record's
 * fields as soon as the record ends. Quoted fields hold delimiters, quotes (`""`) and
 * line breaks; lines end in CRLF, LF or CR. The delimiter (`,`, `;` or tab) is the one
 * the header line holds most of outside quotes (a first line `sep=;`, as Excel writes it,
 * names it instead). Memory is bounded by the limits: a record longer than
 * `maxLineBytes` is not kept (it is reported as too long and skipped to its end, quotes
 * respected), and a header with more than `maxColumns` columns fails the file as soon as
 * its column count passes the limit, without reading the rest of the line.
 */
import type { ReturnsLimits } from '../types.js';
import { ReturnsFileError } from './errors.js';

export interface CsvRecord {
  readonly fields: readonly string[];
  /** Why the record could not be split into fields (too long, a quote never closed, text after a closing quote). */
  readonly problem?: { readonly field: number | null; readonly message: string };
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Where the tokenizer stands in a field. */
const FieldStart = 0;
const Unquoted = 1;
const Quoted = 2;
const QuoteInQuoted = 3;
type State = typeof FieldStart | typeof Unquoted | typeof Quoted | typeof QuoteInQuoted;

export const CSV_DELIMITERS = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

export class CsvRecords {
  private delimiter: CsvDelimiter | undefined;
  private delim = 0x2c;
  /** The text of the header line while it is being found (before the delimiter is known). */
  private head = '';
  private headScan = 0;
  private headInQuotes = false;
  private readonly headCounts = [0, 0, 0];

  private state: State = FieldStart;
  private fields: string[] = [];
  private field = '';
  private recordLength = 0;
  private tooLong = false;
  private badQuoteField: number | null = null;
  private skipLf = false;
  private sepLineChecked = false;

  constructor(
    private readonly limits: ReturnsLimits,
    private readonly emit: (record: CsvRecord) => void,
  ) {}

  get detectedDelimiter(): CsvDelimiter | undefined {
    return this.delimiter;
  }

  feed(text: string): void {
    if (this.delimiter !== undefined) {
      this.scan(text);
      return;
    }
    this.head += text;
    for (;;) {
      const end = this.findHeaderEnd();
      if (end === -1) return;
      const line = this.head.slice(0, end).trim();
      const sep = this.sepLineChecked ? null : /^sep=(.)$/i.exec(line);
      if (line !== '' && !(sep && CSV_DELIMITERS.includes(sep[1] as CsvDelimiter))) break;
      // Blank lines before the header are skipped; Excel's "sep=" line names the delimiter, and the header is the next line.
      if (sep) this.forced = sep[1] as CsvDelimiter;
      if (line !== '') this.sepLineChecked = true;
      this.head = this.head.slice(end + 1);
      this.headScan = 0;
      this.headCounts.fill(0);
    }
    this.sepLineChecked = true;
    this.chooseDelimiter();
    const all = this.head;
    this.head = '';
    this.scan(all);
  }

  private forced: CsvDelimiter | undefined;

  end(): void {
    if (this.delimiter === undefined) {
      if (this.head.trim() === '') return;
      this.chooseDelimiter();
      const all = this.head;
      this.head = '';
      this.scan(all);
    }
    if (this.state === Quoted) {
      this.badQuoteField = this.fields.length;
      this.problemMessage = 'a quoted value in this row is never closed: its opening quote (") has no closing quote, so the rest of the file was read as this value';
    }
    if (this.state !== FieldStart || this.fields.length > 0 || this.field !== '') this.endRecord();
  }

  private problemMessage: string | undefined;

  /** Finds the end of the header line (outside quotes), counting the candidate delimiters on the way. */
  private findHeaderEnd(): number {
    const s = this.head;
    const max = this.limits.maxColumns;
    for (let i = this.headScan; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === QUOTE) this.headInQuotes = !this.headInQuotes;
      else if (!this.headInQuotes) {
        if (c === LF || c === CR) {
          if (i > this.limits.maxLineBytes) throw headerTooLong(this.limits);
          this.headScan = i;
          return i;
        }
        const k = c === 0x2c ? 0 : c === 0x3b ? 1 : c === 0x09 ? 2 : -1;
        if (k >= 0 && ++this.headCounts[k]! >= max) {
          throw new ReturnsFileError('TOO_MANY_COLUMNS', `The header has too many columns (limit ${max}).`);
        }
      }
    }
    this.headScan = s.length;
    if (s.length > this.limits.maxLineBytes) throw headerTooLong(this.limits);
    return -1;
  }

  private chooseDelimiter(): void {
    if (this.forced) {
      this.setDelimiter(this.forced);
      return;
    }
    const [comma, semicolon, tab] = this.headCounts as [number, number, number];
    this.setDelimiter(tab > comma && tab > semicolon ? '\t' : semicolon > comma ? ';' : ',');
  }

  private setDelimiter(delimiter: CsvDelimiter): void {
    this.delimiter = delimiter;
    this.delim = delimiter.charCodeAt(0);
  }

  private take(s: string, from: number, to: number): void {
    if (to === from) return;
    this.recordLength += to - from;
    if (this.tooLong) return;
    if (this.recordLength > this.limits.maxLineBytes) {
      this.tooLong = true;
      this.field = '';
      this.fields = [];
      return;
    }
    this.field = this.field === '' ? s.slice(from, to) : this.field + s.slice(from, to);
  }

  private endField(): void {
    this.recordLength++;
    if (!this.tooLong && this.fields.length <= this.limits.maxColumns) this.fields.push(this.field);
    this.field = '';
    this.state = FieldStart;
  }

  private endRecord(): void {
    this.endField();
    let problem: CsvRecord['problem'];
    if (this.tooLong) problem = { field: null, message: `the row is longer than ${this.limits.maxLineBytes} characters (the limit), so it was not read` };
    else if (this.fields.length > this.limits.maxColumns) problem = { field: null, message: `the row has more than ${this.limits.maxColumns} values (the limit)` };
    else if (this.badQuoteField !== null) {
      problem = { field: this.badQuoteField, message: this.problemMessage ?? 'a quoted value must end with a quote (") followed by the delimiter or the end of the line' };
    }
    this.emit(problem ? { fields: this.fields, problem } : { fields: this.fields });
    this.fields = [];
    this.recordLength = 0;
    this.tooLong = false;
    this.badQuoteField = null;
    this.problemMessage = undefined;
  }

  private scan(s: string): void {
    const n = s.length;
    const delim = this.delim;
    let i = 0;
    if (this.skipLf && n > 0) {
      if (s.charCodeAt(0) === LF) i = 1;
      this.skipLf = false;
    }
    while (i < n) {
      switch (this.state) {
        case FieldStart: {
          if (s.charCodeAt(i) === QUOTE) {
            this.state = Quoted;
            this.recordLength++;
            i++;
            break;
          }
          this.state = Unquoted;
          break;
        }
        case Unquoted: {
          let j = i;
          let c = 0;
          while (j < n) {
            c = s.charCodeAt(j);
            if (c === delim || c === LF || c === CR) break;
            j++;
          }
          this.take(s, i, j);
          if (j === n) return;
          if (c === delim) {
            this.endField();
            i = j + 1;
            break;
          }
          this.endRecord();
          i = j + 1;
          if (c === CR) {
            if (i === n) this.skipLf = true;
            else if (s.charCodeAt(i) === LF) i++;
          }
          break;
        }
        case Quoted: {
          const j = s.indexOf('"', i);
          if (j === -1) {
            this.take(s, i, n);
            return;
          }
          this.take(s, i, j);
          this.recordLength++;
          this.state = QuoteInQuoted;
          i = j + 1;
          break;
        }
        case QuoteInQuoted: {
          const c = s.charCodeAt(i);
          if (c === QUOTE) {
            this.take(s, i, i + 1);
            this.state = Quoted;
            i++;
          } else if (c === delim) {
            this.endField();
            i++;
          } else if (c === LF || c === CR) {
            this.endRecord();
            i++;
            if (c === CR) {
              if (i === n) this.skipLf = true;
              else if (s.charCodeAt(i) === LF) i++;
            }
          } else {
            // Text after a closing quote: kept in the value, and the row reported.
            if (this.badQuoteField === null) this.badQuoteField = this.fields.length;
            this.state = Unquoted;
          }
          break;
        }
      }
    }
  }
}

function headerTooLong(limits: ReturnsLimits): ReturnsFileError {
  return new ReturnsFileError('HEADER_TOO_LONG', `The header line is longer than ${limits.maxLineBytes} characters (the limit); is this a returns file?`);
}
