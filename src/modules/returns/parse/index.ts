/**
 * The returns file reader: a CSV or XML batch file, as bytes, to its rows, each either
 * what it asks for (a ReturnsRequest) or why it is INVALID. It streams: memory holds one
 * piece of the file and the rows read from it, whatever the file's size. What makes the
 * whole file unreadable is a ReturnsFileError, thrown by readReturnsFile for what the
 * start of the file shows (empty, binary, an encoding, the header's columns, a DTD) and by
 * the rows' iteration for what comes later (too many rows, a NUL byte, broken XML); a
 * consumer that must apply all or nothing reads the rows once before applying them.
 * The format comes from the content: XML when the first non-blank character is `<`, CSV
 * otherwise; a name or content type that says XML for a file that is not is refused.
 */
import type { ReturnsCell, ReturnsFormat, ReturnsLimits, ReturnsRow } from '../types.js';
import { type ColumnRole, columnsProblem, roleOf } from './columns.js';
import { type CsvRecord, CsvRecords } from './csv-records.js';
import { type ByteSource, type ReturnsEncoding, TextSource } from './decode.js';
import { ReturnsFileError } from './errors.js';
import { limitsOf } from './limits.js';
import { invalidRow, mapRow, type MapOptions } from './map-row.js';
import { type XmlRecord, XmlRecords } from './xml-records.js';

export { DEFAULT_RETURNS_LIMITS } from './limits.js';
export { ReturnsFileError, type ReturnsFileErrorCode, RETURNS_FILE_ERROR_CODES } from './errors.js';
export type { ReturnsEncoding } from './decode.js';
export { returnsTemplate, type ReturnsTemplate } from './templates.js';

export interface ReadReturnsOptions {
  readonly fileName: string;
  readonly contentType?: string;
  readonly limits?: Partial<ReturnsLimits>;
}

export interface ReturnsFile {
  readonly format: ReturnsFormat;
  /** The columns as spelled in the file: a CSV file's header; an XML file's first row's elements (later rows may differ). */
  readonly columns: string[];
  /** How the bytes were read (`WINDOWS-1252` for a file that is not UTF-8: worth saying in the batch's summary). */
  readonly encoding: ReturnsEncoding;
  /** CSV only: the delimiter the header showed. */
  readonly delimiter?: ',' | ';' | '\t';
  readonly rows: AsyncIterable<ReturnsRow>;
}

/** The format the name or content type claims, if any. */
function declaredFormat(options: ReadReturnsOptions): ReturnsFormat | undefined {
  const type = options.contentType?.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (type.endsWith('/xml') || type.endsWith('+xml')) return 'XML';
  if (type === 'text/csv' || type === 'application/csv' || type === 'text/tab-separated-values') return 'CSV';
  const extension = /\.([A-Za-z0-9]{1,8})$/.exec(options.fileName)?.[1]?.toLowerCase();
  if (extension === 'xml') return 'XML';
  if (extension === 'csv' || extension === 'tsv' || extension === 'txt') return 'CSV';
  return undefined;
}

/**
 * Pulls text from the file and hands it to a tokenizer, which fills `queue`; each
 * `fill` call reads one more piece. Records wait in the queue only as long as one piece
 * takes to produce them.
 */
class Pump<T> {
  readonly queue: T[] = [];
  head = 0;
  done = false;
  constructor(
    private readonly text: TextSource,
    private readonly sink: { feed(text: string): void; end(): void },
  ) {}

  take(): T | undefined {
    if (this.head >= this.queue.length) return undefined;
    const record = this.queue[this.head++];
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    return record;
  }

  async fill(): Promise<void> {
    const piece = await this.text.next();
    if (piece === null) {
      this.done = true;
      this.sink.end();
    } else if (piece !== '') this.sink.feed(piece);
  }
}

/**
 * The rows as an async iterable that costs one resolved promise per row while rows are
 * ready (an async generator costs about twice that, which at a million rows is seconds),
 * and reads the next piece of the file only when they are not. Read once.
 */
class Rows<T> implements AsyncIterable<ReturnsRow>, AsyncIterator<ReturnsRow> {
  constructor(
    private readonly pump: Pump<T>,
    private readonly nextRow: () => ReturnsRow | undefined,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<ReturnsRow> {
    return this;
  }

  next(): Promise<IteratorResult<ReturnsRow>> {
    try {
      const row = this.nextRow();
      if (row) return Promise.resolve({ value: row, done: false });
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.pump.done) return Promise.resolve({ value: undefined, done: true });
    return this.pump.fill().then(() => this.next());
  }
}

export async function readReturnsFile(source: ByteSource, options: ReadReturnsOptions): Promise<ReturnsFile> {
  const limits = limitsOf(options.limits);
  const text = new TextSource(source, limits);
  // Find the first non-blank character; what came before it is only white space.
  let start = '';
  for (;;) {
    const piece = await text.next();
    if (piece === null) throw new ReturnsFileError('EMPTY', 'The file is empty: it has no header and no rows.');
    start += piece;
    const trimmed = start.trimStart();
    if (trimmed !== '') {
      start = trimmed;
      break;
    }
    start = '';
  }
  const format: ReturnsFormat = start.startsWith('<') ? 'XML' : 'CSV';
  const declared = declaredFormat(options);
  if (declared === 'XML' && format === 'CSV') {
    throw new ReturnsFileError('NOT_XML', `The file is ${options.contentType ? `sent as ${options.contentType}` : `named ${options.fileName}`}, but it is not XML: it does not begin with a tag (<).`);
  }
  return format === 'CSV' ? readCsv(text, start, limits) : readXml(text, start, limits);
}

function tooManyRows(limits: ReturnsLimits): ReturnsFileError {
  return new ReturnsFileError('TOO_MANY_ROWS', `The file has more than ${limits.maxRows} rows (the limit); split it into smaller files.`);
}

async function readCsv(text: TextSource, start: string, limits: ReturnsLimits): Promise<ReturnsFile> {
  const pump = new Pump<CsvRecord>(text, { feed: (piece) => csv.feed(piece), end: () => csv.end() });
  const csv = new CsvRecords(limits, (record) => pump.queue.push(record));
  csv.feed(start);
  let header = pump.take();
  while (!header && !pump.done) {
    await pump.fill();
    header = pump.take();
  }
  if (!header) throw new ReturnsFileError('EMPTY', 'The file is empty: it has no header and no rows.');
  if (header.problem) throw new ReturnsFileError('COLUMNS', `The header cannot be read: ${header.problem.message}.`);
  const columns = header.fields.map((name) => name.trim());
  const roles = columns.map(roleOf);
  const problem = columnsProblem(columns, roles);
  if (problem) throw new ReturnsFileError('COLUMNS', `The file's columns cannot describe a row: ${problem.message}. Its columns: ${listColumns(columns)}.`);
  const delimiter = csv.detectedDelimiter ?? ',';
  const mapOptions: MapOptions = { limits, decimalComma: delimiter !== ',' };
  const width = columns.length;

  let rowNumber = 0;
  let read = 0;
  const nextRow = (): ReturnsRow | undefined => {
    for (let record = pump.take(); record; record = pump.take()) {
      rowNumber++;
      const fields = record.fields;
      if (!record.problem && isBlank(fields)) continue;
      if (++read > limits.maxRows) throw tooManyRows(limits);
      const cells: ReturnsCell[] = new Array(width);
      for (let i = 0; i < width; i++) cells[i] = [columns[i]!, fields[i] ?? ''];
      if (record.problem) {
        return invalidRow(rowNumber, cells, { column: record.problem.field === null ? null : (columns[record.problem.field] ?? null), message: record.problem.message });
      }
      if (fields.length > width && fields.slice(width).some((value) => value.trim() !== '')) {
        return invalidRow(rowNumber, cells, { column: null, message: `the row has ${fields.length} values but the header has ${width} columns` });
      }
      return mapRow(rowNumber, cells, roles, mapOptions);
    }
    return undefined;
  };
  return { format: 'CSV', columns, encoding: text.encoding ?? 'UTF-8', delimiter, rows: new Rows(pump, nextRow) };
}
function isBlank(fields: readonly string[]): boolean {
  for (const field of fields) if (field.trim() !== '') return false;
  return true;
}

function listColumns(columns: readonly string[]): string {
  const shown = columns.slice(0, 20).map((name) => name || '(empty)');
  return columns.length > 20 ? `${shown.join(', ')} and ${columns.length - 20} more` : shown.join(', ') || '(none)';
}

async function readXml(text: TextSource, start: string, limits: ReturnsLimits): Promise<ReturnsFile> {
  const pump = new Pump<XmlRecord>(text, { feed: (piece) => xml.feed(piece), end: () => xml.end() });
  const xml = new XmlRecords(limits, (record) => pump.queue.push(record));
  xml.feed(start);
  while (pump.queue.length === 0 && !pump.done) await pump.fill();
  const first = pump.queue[pump.head];
  const columns = first ? first.cells.map(([name]) => name) : [];
  const mapOptions: MapOptions = { limits, decimalComma: false };
  // The rows of a file nearly always share their elements: what a set of names means is worked out once.
  const shapes = new Map<string, { roles: ColumnRole[]; problem: ReturnType<typeof columnsProblem> }>();
  const shapeOf = (cells: readonly ReturnsCell[]) => {
    const names = cells.map(([name]) => name);
    const key = names.join('\u0000');
    let shape = shapes.get(key);
    if (!shape) {
      const roles = names.map(roleOf);
      shape = { roles, problem: columnsProblem(names, roles) };
      if (shapes.size < 1_000) shapes.set(key, shape);
    }
    return shape;
  };
  let rowNumber = 0;
  const nextRow = (): ReturnsRow | undefined => {
    const record = pump.take();
    if (!record) return undefined;
    if (++rowNumber > limits.maxRows) throw tooManyRows(limits);
    const cells = record.cells;
    if (record.problem) return invalidRow(rowNumber, cells, record.problem);
    const { roles, problem } = shapeOf(cells);
    return problem ? invalidRow(rowNumber, cells, problem) : mapRow(rowNumber, cells, roles, mapOptions);
  };
  return { format: 'XML', columns, encoding: text.encoding ?? 'UTF-8', rows: new Rows(pump, nextRow) };
}
