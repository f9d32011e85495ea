import { PassThrough, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyReply } from 'fastify';
import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import { turnEventLoop } from '../core/event-loop.js';
import { guardSpreadsheetFormula } from '../core/text.js';
import { currencyExponent, formatMinor } from '../money/index.js';

/**
 * Downloads of a list as CSV, an Excel workbook or a PDF document, from one description
 * of its columns, so the three files always hold the same rows under the same names.
 * Rows arrive in chunks (the list's export query pages through the database) and every
 * format is streamed: a million-row CSV or workbook never sits in memory.
 */

export type ExportFormat = 'csv' | 'xlsx' | 'pdf';

export const EXPORT_FORMATS: Record<ExportFormat, { mediaType: string; charset?: string; label: string }> = {
  csv: { mediaType: 'text/csv', charset: 'utf-8', label: 'CSV' },
  xlsx: { mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: 'Excel workbook' },
  pdf: { mediaType: 'application/pdf', label: 'PDF document' },
};
export const EXPORT_FORMAT_NAMES = Object.keys(EXPORT_FORMATS) as ExportFormat[];

/** An amount in minor units and its currency: a number cell with the currency's decimals in Excel. */
export interface MoneyCell {
  minor: bigint;
  currency: string;
}

/**
 * One value: text, a whole number (ids that fit a double stay numbers; write larger ids
 * as text), an instant (UTC), money, or nothing.
 */
export type Cell = string | number | Date | MoneyCell | null;

export interface ExportColumn<T> {
  header: string;
  value: (row: T) => Cell;
  /** Width in characters in the workbook; the PDF shares its width out in the same proportions. Default 14. */
  width?: number;
  /** Whether the PDF, which has room for fewer columns than a spreadsheet, shows this one. */
  pdf?: boolean;
  /** Right-aligned in the PDF, header included (amounts). */
  alignRight?: boolean;
}

export interface ExportTable<T> {
  /** What the file holds, e.g. "Actions": the workbook's sheet and the PDF's heading. */
  title: string;
  /** Lines under the PDF's heading and on the workbook's "About" sheet: who, which filters, when. */
  about: string[];
  columns: Array<ExportColumn<T>>;
  rows: AsyncIterable<T[]>;
}

/** The PDF is for reading and printing; beyond this many rows it says where to get the rest. */
export const PDF_MAX_ROWS = 10_000;

export function exportStream<T>(format: ExportFormat, table: ExportTable<T>): Readable {
  switch (format) {
    case 'csv':
      return csvStream(table);
    case 'xlsx':
      return xlsxStream(table);
    case 'pdf':
      return pdfStream(table);
  }
}

/** A download as a route asks for it: rows come straight from the list's export query. */
export interface ExportRequest<T> {
  format: ExportFormat;
  /** The file's name before the date and extension: "actions" gives actions-2026-12-02.csv. */
  fileName: string;
  title: string;
  /** The list's filters as the request gave them, named in the file. */
  query: Record<string, unknown>;
  /** The order the rows are in, when the list has one whatever the filters say (its default sort): named in the file. */
  sortedBy?: { sort: string; order: 'asc' | 'desc' };
  now: Date;
  columns: Array<ExportColumn<T>>;
  rows: AsyncIterator<T[]>;
}

/**
 * Answers with the file. The export query runs up to its first chunk before the first
 * byte is sent, so a refused or malformed request is still a 4xx problem; the rest is
 * read as the file is written.
 */
export async function sendExport<T>(reply: FastifyReply, request: ExportRequest<T>): Promise<FastifyReply> {
  const { format, now } = request;
  const rows = await primed(request.rows);
  const { mediaType, charset } = EXPORT_FORMATS[format];
  reply.header('content-disposition', `attachment; filename="${request.fileName}-${now.toISOString().slice(0, 10)}.${format}"`);
  reply.type(charset ? `${mediaType}; charset=${charset}` : mediaType);
  const about = aboutLines(request.query, request.sortedBy, `Downloaded ${pdfDate(now)} UTC`);
  return reply.send(exportStream(format, { title: request.title, about, columns: request.columns, rows }));
}

async function primed<T>(chunks: AsyncIterator<T[]>): Promise<AsyncIterable<T[]>> {
  const first = await chunks.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    for (;;) {
      const next = await chunks.next();
      if (next.done) return;
      yield next.value;
    }
  })();
}

/**
 * The heading of a file: its filters and, when the list has a fixed order, the order its
 * rows are in (the sort is then not repeated among the filters), then when it was made.
 */
export function aboutLines(query: Record<string, unknown>, sortedBy: { sort: string; order: 'asc' | 'desc' } | undefined, made: string): string[] {
  if (!sortedBy) return [filtersLine(query), made];
  const { sort: _sort, order: _order, ...filters } = query;
  return [filtersLine(filters), `Sorted by ${sortedBy.sort}, ${sortedBy.order === 'desc' ? 'descending' : 'ascending'}`, made];
}

/** The filters of a download, for the people who read the file later. */
export function filtersLine(query: Record<string, unknown>): string {
  const parts = Object.entries(query)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([name, value]) => `${name} = ${String(value)}`);
  return parts.length ? `Filters: ${parts.join(', ')}` : 'Filters: none';
}

/** Minutes are enough on paper (and in the heading), and the full ISO form would not fit a column: 2026-12-02 06:05. */
export const pdfDate = (at: Date) => `${at.toISOString().slice(0, 10)} ${at.toISOString().slice(11, 16)}`;

function isMoney(value: Cell): value is MoneyCell {
  return typeof value === 'object' && value !== null && !(value instanceof Date);
}

/** The text of a value in CSV and PDF: the API's formats (decimal amounts, ISO 8601 UTC instants). */
export function cellText(value: Cell): string {
  if (value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (isMoney(value)) return formatMinor(value.minor, value.currency);
  return String(value);
}

/**
 * A spreadsheet opening the CSV runs a text cell that starts with = + - @ (or a tab or
 * carriage return before one) as a formula: a partner named `=HYPERLINK(…)` could make a
 * brand's spreadsheet send data away. Such text gets a leading apostrophe, which
 * spreadsheets read as "this is text" (OWASP's advice for CSV injection). Amounts, numbers
 * and dates are written as they are: a negative amount stays `-0.05`.
 */
export function csvField(value: Cell): string {
  const text = cellText(value);
  return typeof value === 'string' ? guardSpreadsheetFormula(text) : text;
}

function csvStream<T>(table: ExportTable<T>): Readable {
  const { columns } = table;
  async function* records() {
    for await (const chunk of table.rows) {
      for (const row of chunk) yield columns.map((column) => csvField(column.value(row)));
    }
  }
  return Readable.from(records()).pipe(stringify({ header: true, columns: columns.map((c) => c.header) }));
}

const EXCEL_DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss';
// A sheet name: at most 31 characters, none of : \ / ? * [ ].
const sheetName = (title: string) => title.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31) || 'Sheet1';

function moneyFormat(currency: string): string {
  const exponent = currencyExponent(currency);
  return exponent === 0 ? '#,##0' : `#,##0.${'0'.repeat(exponent)}`;
}

/** A cell's value and number format in the workbook: numbers stay numbers, so a column can be summed. */
function excelCell(value: Cell): { value: ExcelJS.CellValue; numFmt?: string } {
  if (value === null) return { value: null };
  if (value instanceof Date) return { value, numFmt: EXCEL_DATE_FORMAT };
  if (isMoney(value)) {
    // A spreadsheet number is a double: exact for any amount whose minor units fit 2^53,
    // shown with exactly the currency's decimals. Larger amounts go in as exact text.
    const text = formatMinor(value.minor, value.currency);
    if (!Number.isSafeInteger(Number(value.minor))) return { value: text };
    return { value: Number(text), numFmt: moneyFormat(value.currency) };
  }
  // XML 1.0 cannot hold most control characters (nor U+FFFE/U+FFFF, nor half of a
  // surrogate pair): written as they are, they would make the file unreadable.
  return { value: typeof value === 'string' ? value.replace(XML_INVALID, '\uFFFD') : value };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the control characters XML 1.0 forbids is the point
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Rows written between two checks with the reader (readerKeepsUp), each a turn of the
 * event loop. A row of a workbook or a PDF costs about 70-100 µs of this thread, so a
 * whole chunk of the export query (2,000 rows) would hold up every other request (clicks
 * included) for a fifth of a second.
 */
const ROWS_PER_TURN = 200;

/** How far (bytes) the writers of the workbook and the PDF may run ahead of the reader. */
export const READ_AHEAD_BYTES = 1024 * 1024;

/**
 * exceljs and pdfkit write without waiting for the reader; every ROWS_PER_TURN rows the
 * export lets other work run, and waits here while the reader is far behind. False once
 * the reader has gone away (the client closed the connection): then the export stops
 * reading the database.
 */
async function readerKeepsUp(stream: Readable & { writableLength?: number }): Promise<boolean> {
  // A turn of the event loop first: the zip writer compresses in the background and
  // only then hands its output on, where it can be measured.
  await turnEventLoop();
  while (!stream.destroyed && stream.readableLength + (stream.writableLength ?? 0) > READ_AHEAD_BYTES) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return !stream.destroyed;
}

function xlsxStream<T>(table: ExportTable<T>): Readable {
  // Accepts whatever the zip writer sends (so it piles up here, where readerKeepsUp sees it, not inside exceljs).
  const out = new PassThrough({ writableHighWaterMark: 1024 * READ_AHEAD_BYTES });
  const write = async () => {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    workbook.creator = 'Lockstep';
    workbook.created = new Date();
    const sheet = workbook.addWorksheet(sheetName(table.title), { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = table.columns.map((column) => ({ header: column.header, key: column.header, width: column.width ?? 14 }));
    const header = sheet.getRow(1);
    header.font = { bold: true };
    header.commit();
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } };
    let written = 0;
    for await (const chunk of table.rows) {
      for (const item of chunk) {
        if (++written % ROWS_PER_TURN === 0 && !(await readerKeepsUp(out))) return;
        const row = sheet.addRow(table.columns.map(() => null));
        table.columns.forEach((column, index) => {
          const { value, numFmt } = excelCell(column.value(item));
          const cell = row.getCell(index + 1);
          cell.value = value;
          if (numFmt) cell.numFmt = numFmt;
        });
        row.commit();
      }
    }
    sheet.commit();
    const about = workbook.addWorksheet('About');
    about.columns = [{ width: 100 }];
    for (const line of [table.title, ...table.about, 'Dates and times are in UTC.']) about.addRow([line]).commit();
    about.commit();
    await workbook.commit();
  };
  write().catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}

// ---------------------------------------------------------------------------
// PDF: A4 landscape, a heading, then the table with its header row on every page.
// ---------------------------------------------------------------------------

const PAGE_MARGIN = 36;
const FONT_SIZE = 7.5;
const ROW_HEIGHT = 13;
const CELL_PADDING = 3;

/**
 * The 14 standard PDF fonts (no font files to ship) cover Windows-1252 only; anything
 * else would print as garbage, so it prints as "?".
 */
const WIN_ANSI_EXTRAS = new Set([...'€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ']);
function printable(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    out += (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.has(ch) ? ch : code < 0x20 ? ' ' : '?';
  }
  return out;
}

function pdfStream<T>(table: ExportTable<T>): Readable {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    // No bottom margin for pdfkit: the table stops at PAGE_MARGIN itself, the footer sits below.
    margins: { top: PAGE_MARGIN, left: PAGE_MARGIN, right: PAGE_MARGIN, bottom: 0 },
    info: { Title: table.title, Creator: 'Lockstep' },
  });
  const columns = table.columns.filter((column) => column.pdf);
  const usable = doc.page.width - 2 * PAGE_MARGIN;
  const totalWeight = columns.reduce((sum, column) => sum + (column.width ?? 14), 0);
  const widths = columns.map((column) => ((column.width ?? 14) / totalWeight) * usable);
  const lefts = widths.map((_, i) => PAGE_MARGIN + widths.slice(0, i).reduce((a, b) => a + b, 0));
  const bottom = () => doc.page.height - PAGE_MARGIN - ROW_HEIGHT;
  let pageNumber = 1;
  let y = 0;

  /** Cut to the column's width with an ellipsis. */
  const clipToWidth = (text: string, width: number) => {
    const room = width - 2 * CELL_PADDING;
    if (doc.widthOfString(text) <= room) return text;
    let cut = text.slice(0, Math.floor((text.length * room) / doc.widthOfString(text)));
    while (cut.length > 0 && doc.widthOfString(`${cut}…`) > room) cut = cut.slice(0, -1);
    return `${cut}…`;
  };
  // Text goes at explicit positions, never through pdfkit's line wrapper, which would
  // start pages of its own near the bottom margin.
  const footer = () => {
    doc.font('Helvetica').fontSize(FONT_SIZE).fillColor('#666');
    const text = `${clipToWidth(printable(table.title), usable / 2)} · page ${pageNumber}`;
    doc.text(text, PAGE_MARGIN + usable - doc.widthOfString(text), doc.page.height - PAGE_MARGIN + 6, { lineBreak: false });
  };
  const cellAt = (text: string, i: number, alignRight = false) => {
    const x = alignRight ? lefts[i]! + widths[i]! - CELL_PADDING - doc.widthOfString(text) : lefts[i]! + CELL_PADDING;
    doc.text(text, x, y + 3, { lineBreak: false });
  };
  const headerRow = () => {
    doc.rect(PAGE_MARGIN, y, usable, ROW_HEIGHT).fill('#e8e8e4');
    doc.font('Helvetica-Bold').fontSize(FONT_SIZE).fillColor('#000');
    columns.forEach((column, i) => {
      cellAt(clipToWidth(printable(column.header), widths[i]!), i, column.alignRight);
    });
    y += ROW_HEIGHT;
    doc.font('Helvetica');
  };
  const newPage = () => {
    footer();
    doc.addPage();
    pageNumber += 1;
    y = PAGE_MARGIN;
    headerRow();
  };
  const line = (text: string, options: { bold?: boolean; size?: number } = {}) => {
    doc.font(options.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(options.size ?? 9).fillColor('#000');
    doc.text(clipToWidth(printable(text), usable), PAGE_MARGIN, y, { lineBreak: false });
    y += (options.size ?? 9) + 5;
  };

  const write = async () => {
    y = PAGE_MARGIN;
    line(table.title, { bold: true, size: 14 });
    for (const text of [...table.about, 'Dates and times are in UTC.']) line(text);
    y += 6;
    headerRow();
    let printed = 0;
    let more = false;
    outer: for await (const chunk of table.rows) {
      for (const item of chunk) {
        if (printed === PDF_MAX_ROWS) {
          more = true;
          break outer;
        }
        if (printed % ROWS_PER_TURN === ROWS_PER_TURN - 1 && !(await readerKeepsUp(doc as unknown as Readable))) return;
        if (y > bottom()) newPage();
        if (printed % 2 === 1) doc.rect(PAGE_MARGIN, y, usable, ROW_HEIGHT).fill('#f6f6f4');
        doc.fillColor('#000').font('Helvetica').fontSize(FONT_SIZE);
        columns.forEach((column, i) => {
          const value = column.value(item);
          const text = clipToWidth(printable(value instanceof Date ? pdfDate(value) : cellText(value)), widths[i]!);
          cellAt(text, i, column.alignRight);
        });
        y += ROW_HEIGHT;
        printed += 1;
      }
    }
    if (y > bottom()) newPage();
    y += 4;
    line(
      more
        ? `The first ${PDF_MAX_ROWS.toLocaleString('en-US')} rows; download the CSV or Excel file for all of them.`
        : `${printed.toLocaleString('en-US')} row${printed === 1 ? '' : 's'}.`,
      { size: 8 },
    );
    footer();
    doc.end();
  };
  write().catch((error: unknown) => doc.destroy(error instanceof Error ? error : new Error(String(error))));
  return doc as unknown as Readable;
}
