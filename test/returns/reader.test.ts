/**
 * The returns file reader (issue 13 item 1 and its "Bad input" corpus): a pure table of
 * files and what the reader makes of them, then the hostile files, then streaming.
 */
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { registerReturnsCommands } from '../../src/cli/returns.js';
import { CHANGE_REASON_CODES } from '../../src/modules/actions/types.js';
import { DEFAULT_RETURNS_LIMITS, readReturnsFile, ReturnsFileError, returnsTemplate } from '../../src/modules/returns/parse/index.js';
import { RETURNS_FORMATS, RETURNS_LAYOUTS, type ReturnsLimits, type ReturnsRow } from '../../src/modules/returns/types.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

async function collect(rows: AsyncIterable<ReturnsRow>): Promise<ReturnsRow[]> {
  const all: ReturnsRow[] = [];
  for await (const row of rows) all.push(row);
  return all;
}

async function read(content: string | Uint8Array, options: { fileName?: string; contentType?: string; limits?: Partial<ReturnsLimits> } = {}) {
  const file = await readReturnsFile(typeof content === 'string' ? utf8(content) : content, { fileName: options.fileName ?? 'returns.csv', ...options });
  return { file, rows: await collect(file.rows) };
}

/** The requests of rows that must all be well-formed. */
async function requests(content: string | Uint8Array, options?: Parameters<typeof read>[1]) {
  const { rows } = await read(content, options);
  return rows.map((row) => {
    if ('invalid' in row) throw new Error(`row ${row.rowNumber} is INVALID: ${row.invalid.column}: ${row.invalid.message}`);
    return row.request;
  });
}

async function problems(content: string | Uint8Array, options?: Parameters<typeof read>[1]) {
  const { rows } = await read(content, options);
  return rows.map((row) => ('invalid' in row ? row.invalid : null));
}

async function fileError(content: string | Uint8Array | AsyncIterable<Uint8Array>, options: Parameters<typeof read>[1] = {}): Promise<ReturnsFileError> {
  try {
    const source = typeof content === 'string' ? utf8(content) : content;
    const file = await readReturnsFile(source, { fileName: options.fileName ?? 'returns.csv', ...options });
    await collect(file.rows);
  } catch (error) {
    if (error instanceof ReturnsFileError) return error;
    throw error;
  }
  throw new Error('the file was read without a ReturnsFileError');
}

const byId = (actionId: string) => ({ by: 'ActionId', actionId }) as const;
const byOrder = (orderId: string, actionTrackerId: string) => ({ by: 'OrderId', orderId, actionTrackerId }) as const;

describe('CSV: order level', () => {
  it('reads a modification, a reversal and the columns as spelled', async () => {
    const { file, rows } = await read('ActionId,Amount,currencyCode,CustomerStatus,Reason\n101,79.00,usd,EXISTING,ORDER_UPDATE\n102,0,,,ITEM_RETURNED\n');
    expect(file.format).toBe('CSV');
    expect(file.columns).toEqual(['ActionId', 'Amount', 'currencyCode', 'CustomerStatus', 'Reason']);
    expect(rows.map((row) => row.rowNumber)).toEqual([1, 2]);
    expect(rows[0]!.cells).toEqual([
      ['ActionId', '101'],
      ['Amount', '79.00'],
      ['currencyCode', 'usd'],
      ['CustomerStatus', 'EXISTING'],
      ['Reason', 'ORDER_UPDATE'],
    ]);
    expect(rows.map((row) => ('request' in row ? row.request : row.invalid))).toEqual([
      { kind: 'ORDER', target: byId('101'), reason: 'ORDER_UPDATE', amount: '79.00', currencyCode: 'USD', customerStatus: 'EXISTING' },
      { kind: 'ORDER', target: byId('102'), reason: 'ITEM_RETURNED', amount: '0' },
    ]);
  });

  it.each([
    ['ActionId', 'ActionId'],
    ['ActionID', 'ActionID'],
    ['actionid', 'actionid'],
  ])('names the action by %s', async (column) => {
    expect(await requests(`${column},Amount,Reason\n7,1.5,OTHER\n`)).toEqual([{ kind: 'ORDER', target: byId('7'), reason: 'OTHER', amount: '1.5' }]);
  });

  it.each([
    ['Oid', 'ActionTrackerId'],
    ['OrderId', 'ActionTrackerID'],
    ['OID', 'actiontrackerid'],
    ['orderid', 'ACTIONTRACKERID'],
  ])('names the action by %s with %s', async (order, tracker) => {
    expect(await requests(`${order},${tracker},AMOUNT,REASON,CURRENCYCODE,customerstatus\nA-1001,16027,10,ORDER_UPDATE,CAD,NEW\n`)).toEqual([
      { kind: 'ORDER', target: byOrder('A-1001', '16027'), reason: 'ORDER_UPDATE', amount: '10', currencyCode: 'CAD', customerStatus: 'NEW' },
    ]);
  });

  it('prefers ActionId when a row gives both ways of naming the action', async () => {
    expect(await requests('ActionId,Oid,ActionTrackerId,Amount,Reason\n5,A-1,3,0,REJECTED\n,A-2,3,0,REJECTED\n')).toEqual([
      { kind: 'ORDER', target: byId('5'), reason: 'REJECTED', amount: '0' },
      { kind: 'ORDER', target: byOrder('A-2', '3'), reason: 'REJECTED', amount: '0' },
    ]);
  });

  it('reads every reason code, RESET and APPROVED, in any case', async () => {
    const codes = [...CHANGE_REASON_CODES];
    const got = await requests(`ActionId,Amount,Reason\n${codes.map((code, i) => `${i + 1},0,${code.toLowerCase()}`).join('\n')}\n`);
    expect(got.map((request) => ('reason' in request ? request.reason : null))).toEqual(codes);
    expect(codes).toEqual(expect.arrayContaining(['PARTNER_NOT_ACTIVE', 'CREDITED_DIFFERENT_MP', 'MP_RETURNED']));
    expect(await requests('ActionId,Amount,Reason\n1,,RESET\n2,,Approved\n')).toEqual([
      { kind: 'RESET', target: byId('1') },
      { kind: 'APPROVE', target: byId('2') },
    ]);
  });

  it('reads the minimal reset file (Oid,ActionTrackerId,Reason)', async () => {
    expect(await requests('Oid,ActionTrackerId,Reason\nO9999935,16027,RESET\n')).toEqual([{ kind: 'RESET', target: byOrder('O9999935', '16027') }]);
  });

  it('reverses the rows of a file of just ActionId and Reason (the Attribution Risk Reversals report)', async () => {
    expect(await requests('ActionId,Reason\n9,CONS_FRAUD\n')).toEqual([{ kind: 'ORDER', target: byId('9'), reason: 'CONS_FRAUD', amount: '0' }]);
  });

  it('takes DispositionCode as the Reason column, as the API names it', async () => {
    expect(await requests('ActionId,Amount,DispositionCode\n9,0,MP_RETURNED\n')).toEqual([{ kind: 'ORDER', target: byId('9'), reason: 'MP_RETURNED', amount: '0' }]);
  });

  it('normalizes amounts it can read without guessing', async () => {
    const got = await requests('ActionId,Amount,Reason\n1, 12.50 ,OTHER\n2,.5,OTHER\n3,7.,OTHER\n4,0012,OTHER\n');
    expect(got.map((request) => (request.kind === 'ORDER' ? request.amount : null))).toEqual(['12.50', '0.5', '7', '0012']);
  });
});

describe('CSV: item level', () => {
  it('reads Sku1, Category1, Quantity1, Amount1, Sku2, … in item order', async () => {
    expect(
      await requests('ActionId,Sku2,Quantity2,Amount2,Sku1,Category1,Quantity1,Amount1,Reason\n1,STOVE,0,,TENT,Tents,1,249.00,ITEM_RETURNED\n'),
    ).toEqual([
      {
        kind: 'ITEMS',
        target: byId('1'),
        reason: 'ITEM_RETURNED',
        items: [
          { index: 1, sku: 'TENT', category: 'Tents', quantity: 1, amount: '249.00' },
          { index: 2, sku: 'STOVE', quantity: 0 },
        ],
      },
    ]);
  });

  it('leaves out the items whose cells are all empty, and takes an amount alone', async () => {
    expect(await requests('Oid,ActionTrackerId,sku1,quantity1,amount1,SKU2,QUANTITY2,AMOUNT2,Reason\nA,1,,,,B,,5.00,ORDER_UPDATE\n')).toEqual([
      { kind: 'ITEMS', target: byOrder('A', '1'), reason: 'ORDER_UPDATE', items: [{ index: 2, sku: 'B', amount: '5.00' }] },
    ]);
  });
});

describe('CSV: the format', () => {
  it('detects , ; and tab from the header, and reads a decimal comma in ; and tab files', async () => {
    for (const delimiter of [',', ';', '\t']) {
      const amount = delimiter === ',' ? '"12,50"' : '12,50';
      const { file, rows } = await read(`ActionId${delimiter}Amount${delimiter}Reason\n1${delimiter}${amount}${delimiter}OTHER\n`);
      expect(file.delimiter).toBe(delimiter);
      const row = rows[0]!;
      if (delimiter === ',') expect('invalid' in row && row.invalid.column).toBe('Amount');
      else expect('request' in row && row.request).toEqual({ kind: 'ORDER', target: byId('1'), reason: 'OTHER', amount: '12.50' });
    }
  });

  it("takes Excel's sep= line", async () => {
    const { file, rows } = await read('sep=;\nActionId;Amount;Reason\n1;2,5;OTHER\n');
    expect(file.delimiter).toBe(';');
    expect(file.columns).toEqual(['ActionId', 'Amount', 'Reason']);
    expect(rows).toHaveLength(1);
  });

  it('reads a UTF-8 BOM and CRLF line ends (also a CR at the end of one piece and its LF in the next)', async () => {
    const { file, rows } = await read('\uFEFFActionId,Amount,Reason\r\n1,2.00,OTHER\r\n2,0,OTHER\r\n');
    expect(file.columns[0]).toBe('ActionId');
    expect(file.encoding).toBe('UTF-8');
    expect(rows.map((row) => 'request' in row)).toEqual([true, true]);
    const text = 'ActionId,Amount,Reason\r\n1,2.00,OTHER\r\n2,0,OTHER';
    for (let cut = 1; cut < text.length; cut++) {
      const pieces = [utf8(text.slice(0, cut)), utf8(text.slice(cut))];
      const file2 = await readReturnsFile(
        (async function* () {
          yield* pieces;
        })(),
        { fileName: 'a.csv' },
      );
      const got = await collect(file2.rows);
      expect(got.map((row) => [row.rowNumber, 'request' in row]), `cut at ${cut}`).toEqual([
        [1, true],
        [2, true],
      ]);
    }
  });

  it('reads quoted commas, quotes and line breaks, and keeps unknown columns in the cells only', async () => {
    const { file, rows } = await read('ActionId,Note,Amount,Reason\n1,"returned, said ""too small""\nsecond line",0,ITEM_RETURNED\n2,plain,0,OTHER\n');
    expect(file.columns).toEqual(['ActionId', 'Note', 'Amount', 'Reason']);
    expect(rows[0]!.cells[1]).toEqual(['Note', 'returned, said "too small"\nsecond line']);
    expect(rows.map((row) => [row.rowNumber, 'request' in row && row.request])).toEqual([
      [1, { kind: 'ORDER', target: byId('1'), reason: 'ITEM_RETURNED', amount: '0' }],
      [2, { kind: 'ORDER', target: byId('2'), reason: 'OTHER', amount: '0' }],
    ]);
  });

  it('skips blank lines (counting them in the row numbers) and reads a last line without a line end', async () => {
    const { rows } = await read('ActionId,Amount,Reason\n\n1,0,OTHER\n,,\n2,0,OTHER');
    expect(rows.map((row) => row.rowNumber)).toEqual([2, 4]);
  });

  it('gives a header-only file zero rows, not an error', async () => {
    const { file, rows } = await read('ActionId,Amount,Reason\r\n');
    expect(file.columns).toEqual(['ActionId', 'Amount', 'Reason']);
    expect(rows).toEqual([]);
    expect((await read('Oid,ActionTrackerId,Reason')).rows).toEqual([]);
  });

  it('keeps formula-looking cells as text: they are values like any other', async () => {
    const { rows } = await read('Oid,ActionTrackerId,Note,Amount,Reason\n"=HYPERLINK(""http://x"")",1,@SUM(A1),1,OTHER\n1,1,=cmd|x,0,=1+1\n');
    expect('request' in rows[0]! && rows[0].request).toEqual({ kind: 'ORDER', target: byOrder('=HYPERLINK("http://x")', '1'), reason: 'OTHER', amount: '1' });
    expect(rows[0]!.cells[2]).toEqual(['Note', '@SUM(A1)']);
    expect('invalid' in rows[1]! && rows[1].invalid.column).toBe('Reason');
  });

  it('passes on both rows for one action: the engine decides', async () => {
    expect(await requests('ActionId,Amount,Reason\n1,5,OTHER\n1,5,OTHER\n1,0,OTHER\n')).toHaveLength(3);
  });
});

describe('CSV: rows that are INVALID (the column as spelled in the file, and why), and the good rows go on', () => {
  it.each([
    ['ActionId,Amount,Reason\nabc,0,OTHER', 'ActionId', /not an action id/],
    ['ActionId,Amount,Reason\n1234567890123456789,0,OTHER', 'ActionId', /at most 18 digits/],
    ['ActionId,Oid,ActionTrackerId,Amount,Reason\n,,,0,OTHER', 'ActionId', /names no action/],
    ['Oid,ActionTrackerId,Amount,Reason\nA-1,,0,OTHER', null, /ActionTrackerId is empty/],
    ['Oid,ActionTrackerId,Amount,Reason\n,5,0,OTHER', null, /order id is empty/],
    ['Oid,ActionTrackerId,Amount,Reason\nA-1,x5,0,OTHER', 'ActionTrackerId', /not an event type id/],
    [`Oid,ActionTrackerId,Amount,Reason\n${'A'.repeat(65)},5,0,OTHER`, 'Oid', /longer than 64/],
    ['actionid,amount,reason\n1,0,', 'reason', /reason is empty/],
    ['ActionId,Amount,Reason\n1,0,BECAUSE', 'Reason', /"BECAUSE" is not a reason code: use one of CONS_FRAUD, .*MP_RETURNED.*RESET, APPROVED/],
    ['ActionId,Amount,Reason\n1,,OTHER', 'Amount', /sale amount is empty/],
    ['ActionId,Amount,Reason\n1,-5,OTHER', 'Amount', /negative/],
    ['ActionId,Amount,Reason\n1,$5,OTHER', 'Amount', /not an amount/],
    ['ActionId,Amount,Reason\n1,"1,234.00",OTHER', 'Amount', /thousands separator/],
    ['ActionId,Amount,Reason\n1,1E3,OTHER', 'Amount', /exponent/],
    ['ActionId,Amount,Reason\n1,.,OTHER', 'Amount', /not an amount/],
    ['ActionId,Amount,currencyCode,Reason\n1,5,US Dollar,OTHER', 'currencyCode', /not a currency code/],
    ['ActionId,Amount,CustomerStatus,Reason\n1,0,NEW,ITEM_RETURNED', 'CustomerStatus', /not allowed on a reversal row/],
    ['ActionId,Amount,CustomerStatus,Reason\n1,0.00,NEW,ITEM_RETURNED', 'CustomerStatus', /not allowed on a reversal row/],
    ['ActionId,CustomerStatus,Reason\n1,NEW,ITEM_RETURNED', 'CustomerStatus', /not allowed on a reversal row/],
    [`ActionId,Amount,CustomerStatus,Reason\n1,5,${'N'.repeat(41)},OTHER`, 'CustomerStatus', /longer than 40/],
    ['ActionId,Amount,Reason\n1,5,RESET', 'Amount', /RESET row restores the original values: leave Amount empty/],
    ['ActionId,Sku1,Quantity1,Reason\n1,A,1,RESET', 'Sku1', /leave the item columns/],
    ['ActionId,CustomerStatus,Reason\n1,NEW,APPROVED', 'CustomerStatus', /APPROVED row approves/],
    ['ActionId,Amount,Sku1,Quantity1,Reason\n1,5,A,1,OTHER', 'Amount', /either the order's Amount or its items/],
    ['ActionId,Sku1,Quantity1,Reason\n1,A,1.5,OTHER', 'Quantity1', /not a quantity/],
    ['ActionId,Sku1,Quantity1,Reason\n1,A,-1,OTHER', 'Quantity1', /not a quantity/],
    ['ActionId,Sku1,Category1,Quantity1,Reason\n1,A,Tents,,OTHER', 'Sku1', /item 1 gives no new quantity or amount/],
    ['ActionId,Sku1,Amount1,Reason\n1,A,x,OTHER', 'Amount1', /not an amount/],
    ['ActionId,Sku1,Quantity1,Reason\n1,,,OTHER', null, /changes nothing/],
    ['ActionId,Amount,Reason\n1,0,OTHER,extra', null, /4 values but the header has 3 columns/],
    ['ActionId,Amount,Reason\n1,"0"x,OTHER', 'Amount', /quoted value must end with a quote/],
    ['ActionId,Amount,Reason\n1,0,"OTHER', 'Reason', /never closed/],
  ])('%j', async (file, column, message) => {
    const [problem] = await problems(file);
    expect(problem).toEqual({ column, message: expect.stringMatching(message) });
  });

  it('keeps reading after a bad row; trailing empty values are not extra', async () => {
    expect(await problems('ActionId,Amount,Reason\n1,x,OTHER\n2,0,OTHER,,\n3,0,NOPE\n4,0,OTHER\n')).toEqual([
      { column: 'Amount', message: expect.any(String) },
      null,
      { column: 'Reason', message: expect.any(String) },
      null,
    ]);
  });
});

describe('CSV: files that cannot be read at all', () => {
  it.each([
    ['', 'EMPTY', /empty/],
    ['\uFEFF', 'EMPTY', /empty/],
    ['  \r\n\n  ', 'EMPTY', /empty/],
    ['Foo,Bar\n1,2\n', 'COLUMNS', /no column that names an action.*Its columns: Foo, Bar/],
    ['Oid,Amount,Reason\n1,2,OTHER\n', 'COLUMNS', /Oid without ActionTrackerId/],
    ['ActionId,Amount\n1,2\n', 'COLUMNS', /no Reason column/],
    ['ActionId,Amount,amount,Reason\n', 'COLUMNS', /the column amount appears twice/],
    ['Oid,OrderId,ActionTrackerId,Reason\n', 'COLUMNS', /the columns Oid and OrderId mean the same/],
    ['ActionId,Reason,DispositionCode\n', 'COLUMNS', /Reason and DispositionCode mean the same/],
    ['ActionId,Sku,Quantity,Reason\n', 'COLUMNS', /the column Sku has no item number/],
    ['ActionId,Sku0,Quantity0,Reason\n', 'COLUMNS', /items are numbered from 1/],
  ])('%j', async (content, code, message) => {
    const error = await fileError(content);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('keeps duplicate unknown columns (nothing reads them), in the cells', async () => {
    const { rows } = await read('ActionId,Note,Note,Reason\n1,a,b,OTHER\n');
    expect(rows[0]!.cells).toEqual([
      ['ActionId', '1'],
      ['Note', 'a'],
      ['Note', 'b'],
      ['Reason', 'OTHER'],
    ]);
  });

  it('refuses 1,000,000 columns at once, from the header', async () => {
    const header = `ActionId,Reason,${Array.from({ length: 1_000_000 }, (_, i) => `C${i}`).join(',')}\n`;
    let pulled = 0;
    const bytes = utf8(header);
    async function* source() {
      for (let at = 0; at < bytes.length; at += 16 * 1024) {
        pulled += 16 * 1024;
        yield bytes.subarray(at, at + 16 * 1024);
      }
    }
    const error = await fileError(source());
    expect(error.code).toBe('TOO_MANY_COLUMNS');
    expect(error.message).toBe(`The header has too many columns (limit ${DEFAULT_RETURNS_LIMITS.maxColumns}).`);
    expect(pulled).toBeLessThan(64 * 1024);
  });

  it('refuses a header line longer than the line limit', async () => {
    const error = await fileError(`ActionId,Reason,${'x'.repeat(70_000)}\n`);
    expect(error.code).toBe('HEADER_TOO_LONG');
  });

  it('makes a 1 MB line that row INVALID, without keeping it, and reads the rows around it', async () => {
    const { rows } = await read(`ActionId,Note,Amount,Reason\n1,a,0,OTHER\n2,${'x'.repeat(1024 * 1024)},0,OTHER\n3,"${'y,\n'.repeat(400_000)}",0,OTHER\n4,b,0,OTHER\n`);
    expect(rows.map((row) => [row.rowNumber, 'invalid' in row ? row.invalid : 'ok'])).toEqual([
      [1, 'ok'],
      [2, { column: null, message: 'the row is longer than 65536 characters (the limit), so it was not read' }],
      [3, { column: null, message: expect.stringContaining('longer than') }],
      [4, 'ok'],
    ]);
    expect(rows[1]!.cells.every(([, value]) => value === '')).toBe(true);
  });

  it('makes a field over the field limit INVALID, naming its column', async () => {
    const [problem] = await problems(`ActionId,Note,Amount,Reason\n1,${'n'.repeat(5000)},0,OTHER\n`);
    expect(problem).toEqual({ column: 'Note', message: 'the value of Note is longer than 4096 characters (the limit)' });
  });

  it('fails a file with more rows than the limit', async () => {
    const error = await fileError('ActionId,Amount,Reason\n1,0,OTHER\n2,0,OTHER\n3,0,OTHER\n', { limits: { maxRows: 2 } });
    expect(error.code).toBe('TOO_MANY_ROWS');
    expect(error.message).toMatch(/more than 2 rows/);
  });

  it('fails a file larger than the byte limit, in memory or streamed', async () => {
    const content = `ActionId,Amount,Reason\n${'1,0,OTHER\n'.repeat(200)}`;
    expect((await fileError(content, { limits: { maxBytes: 1000 } })).code).toBe('TOO_BIG');
    async function* slow() {
      const bytes = utf8(content);
      for (let at = 0; at < bytes.length; at += 100) yield bytes.subarray(at, at + 100);
    }
    const error = await fileError(slow(), { limits: { maxBytes: 1000 } });
    expect(error.code).toBe('TOO_BIG');
    expect(error.message).toBe('The file is larger than 1000 bytes (the limit); split it into smaller files.');
  });
});

describe('encodings and binary files', () => {
  const header = 'ActionId\tNote\tAmount\tReason\r\n';
  const row = '1\tCafé crème – 5 €\t12,50\tITEM_RETURNED\r\n';

  it("reads UTF-16 LE with a BOM (Excel's Unicode text, tab-separated) and UTF-16 BE", async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(header + row, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    for (const [bytes, encoding] of [
      [le, 'UTF-16LE'],
      [be, 'UTF-16BE'],
    ] as const) {
      const { file, rows } = await read(new Uint8Array(bytes), { fileName: 'returns.txt' });
      expect(file.encoding).toBe(encoding);
      expect(file.delimiter).toBe('\t');
      expect(rows[0]!.cells[1]).toEqual(['Note', 'Café crème – 5 €']);
      expect('request' in rows[0]! && rows[0].request).toEqual({ kind: 'ORDER', target: byId('1'), reason: 'ITEM_RETURNED', amount: '12.50' });
    }
  });

  it('reads a Windows-1252 (Latin-1) file as such, and says so', async () => {
    const bytes = new Uint8Array(Buffer.from('ActionId;Note;Amount;Reason\n1;Crème brûlée \x80 5;0;OTHER\n', 'latin1'));
    bytes[bytes.indexOf(0x80)] = 0x80;
    const { file, rows } = await read(bytes);
    expect(file.encoding).toBe('WINDOWS-1252');
    expect(rows[0]!.cells[1]).toEqual(['Note', 'Crème brûlée € 5']);
    expect('request' in rows[0]!).toBe(true);
  });

  it('reads UTF-8 without a BOM as UTF-8, and a later byte that is not UTF-8 makes its row INVALID', async () => {
    const good = 'ActionId,Oid,ActionTrackerId,Amount,Reason\n1,Zoë,,0,OTHER\n';
    const bad = Buffer.concat([Buffer.from(good), Buffer.from(',Zo'), Buffer.from([0xeb]), Buffer.from(',5,0,OTHER\n3,,,0,OTHER\n')]);
    const { file, rows } = await read(new Uint8Array(bad));
    expect(file.encoding).toBe('UTF-8');
    expect(rows.map((row) => ('invalid' in row ? row.invalid.column : 'ok'))).toEqual(['ok', 'Oid', 'ok']);
    expect('invalid' in rows[1]! && rows[1].invalid.message).toMatch(/not valid in the file's encoding/);
  });

  it.each([
    ['NUL bytes in text', Buffer.from('ActionId,Amount,Reason\n1,0,OT\0HER\n'), 'BINARY', /NUL bytes/],
    ['an .xlsx workbook', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0]), Buffer.alloc(100, 1)]), 'BINARY', /ZIP archive \(an Excel \.xlsx/],
    ['an old .xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'BINARY', /old Excel \.xls/],
    ['a PDF', Buffer.from('%PDF-1.7\n\0\0'), 'BINARY', /PDF/],
    ['gzip', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]), 'BINARY', /gzip/],
    ['UTF-16 without a BOM', Buffer.from('ActionId,Amount,Reason\r\n1,0,OTHER\r\n', 'utf16le'), 'UNSUPPORTED_ENCODING', /UTF-16 text without a byte order mark/],
    ['UTF-32', Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]), 'UNSUPPORTED_ENCODING', /UTF-32/],
    ['a NUL character in UTF-16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('ActionId,Amount,Reason\r\n1,0\0,OTHER\r\n', 'utf16le')]), 'BINARY', /NUL/],
  ])('refuses %s', async (_, bytes, code, message) => {
    const error = await fileError(new Uint8Array(bytes));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('sees a byte order mark and a character cut by one-byte pieces', async () => {
    const texts = ['ActionId\tNote\tAmount\tReason\r\n1\tZoë\t0\tOTHER\r\n'];
    const files = [
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(texts[0]!, 'utf16le')]),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(texts[0]!)]),
      Buffer.from(texts[0]!),
    ];
    for (const bytes of files) {
      const file = await readReturnsFile(
        (async function* () {
          for (const byte of bytes) yield new Uint8Array([byte]);
        })(),
        { fileName: 'a.txt' },
      );
      const rows = await collect(file.rows);
      expect(file.columns).toEqual(['ActionId', 'Note', 'Amount', 'Reason']);
      expect(rows[0]!.cells[1]).toEqual(['Note', 'Zoë']);
      expect('request' in rows[0]!).toBe(true);
    }
  });

  it('refuses a NUL byte far into the file, while reading the rows', async () => {
    const content = Buffer.concat([Buffer.from(`ActionId,Amount,Reason\n${'1,0,OTHER\n'.repeat(20_000)}`), Buffer.from([0]), Buffer.from('\n')]);
    const error = await fileError(new Uint8Array(content));
    expect(error.code).toBe('BINARY');
  });
});

describe('XML', () => {
  it('reads the flat form: a root holding one element per row, whose children are the columns', async () => {
    const { file, rows } = await read(
      `<?xml version="1.0" encoding="UTF-8"?>
<!-- returns of 12 February -->
<Rows>
  <Row><ActionId>101</ActionId><Amount>79.00</Amount><CustomerStatus>EXISTING</CustomerStatus><Reason>ORDER_UPDATE</Reason></Row>
  <Row>
    <Oid>A&amp;B-1</Oid><ActionTrackerID>16027</ActionTrackerID><Amount>0</Amount><Reason><![CDATA[ITEM_RETURNED]]></Reason><Note>caf&#233; &lt;3</Note>
  </Row>
  <Row><Oid>O9999935</Oid><ActionTrackerId>16027</ActionTrackerId><Reason>RESET</Reason><CustomerStatus/></Row>
</Rows>`,
      { fileName: 'returns.xml' },
    );
    expect(file.format).toBe('XML');
    expect(file.columns).toEqual(['ActionId', 'Amount', 'CustomerStatus', 'Reason']);
    expect(rows[1]!.cells).toEqual([
      ['Oid', 'A&B-1'],
      ['ActionTrackerID', '16027'],
      ['Amount', '0'],
      ['Reason', 'ITEM_RETURNED'],
      ['Note', 'café <3'],
    ]);
    expect(rows.map((row) => ('request' in row ? row.request : row.invalid))).toEqual([
      { kind: 'ORDER', target: byId('101'), reason: 'ORDER_UPDATE', amount: '79.00', customerStatus: 'EXISTING' },
      { kind: 'ORDER', target: byOrder('A&B-1', '16027'), reason: 'ITEM_RETURNED', amount: '0' },
      { kind: 'RESET', target: byOrder('O9999935', '16027') },
    ]);
  });

  it("reads impact.com's …Requests/…Request form, with a namespace, and items numbered or as <Items><Item>", async () => {
    const { file, rows } = await read(
      `<ModificationRequests xmlns="http://ws.impactradius.com/ws/definitions">
  <ModificationRequest><OrderId>A-1</OrderId><ActionTrackerId>7</ActionTrackerId><Sku1>TENT</Sku1><Quantity1>0</Quantity1><Reason>ITEM_RETURNED</Reason></ModificationRequest>
  <ModificationRequest>
    <ActionId>55</ActionId>
    <Items>
      <Item><Sku>TENT</Sku><Category>Tents</Category><Quantity>1</Quantity><Amount>249.00</Amount></Item>
      <Item><Sku>STOVE</Sku><Quantity>0</Quantity></Item>
    </Items>
    <Reason>ORDER_UPDATE</Reason>
  </ModificationRequest>
  <ir:ModificationRequest xmlns:ir="urn:x"><ir:ActionId>56</ir:ActionId><ir:Amount>0</ir:Amount><ir:Reason>REJECTED</ir:Reason></ir:ModificationRequest>
</ModificationRequests>`,
      { contentType: 'application/xml', fileName: 'upload' },
    );
    expect(file.columns).toEqual(['OrderId', 'ActionTrackerId', 'Sku1', 'Quantity1', 'Reason']);
    expect(rows[1]!.cells.map(([name]) => name)).toEqual(['ActionId', 'Sku1', 'Category1', 'Quantity1', 'Amount1', 'Sku2', 'Quantity2', 'Reason']);
    expect(rows.map((row) => ('request' in row ? row.request : row.invalid))).toEqual([
      { kind: 'ITEMS', target: byOrder('A-1', '7'), reason: 'ITEM_RETURNED', items: [{ index: 1, sku: 'TENT', quantity: 0 }] },
      {
        kind: 'ITEMS',
        target: byId('55'),
        reason: 'ORDER_UPDATE',
        items: [
          { index: 1, sku: 'TENT', category: 'Tents', quantity: 1, amount: '249.00' },
          { index: 2, sku: 'STOVE', quantity: 0 },
        ],
      },
      { kind: 'ORDER', target: byId('56'), reason: 'REJECTED', amount: '0' },
    ]);
  });

  it('gives a root without rows zero rows', async () => {
    const { file, rows } = await read('<?xml version="1.0"?>\n<Rows/>\n', { fileName: 'a.xml' });
    expect([file.format, file.columns, rows]).toEqual(['XML', [], []]);
  });

  it.each([
    ['<Rows><Row><ActionId>1</ActionId><Amount>0</Amount><Reason>OTHER</Reason><Amount>5</Amount></Row></Rows>', 'Amount', /the column Amount appears twice/],
    ['<Rows><Row><Oid>1</Oid><OrderId>1</OrderId><ActionTrackerId>1</ActionTrackerId><Reason>OTHER</Reason></Row></Rows>', 'OrderId', /Oid and OrderId mean the same/],
    ['<Rows><Row><ActionId>1</ActionId><Amount>0</Amount></Row></Rows>', null, /no Reason column/],
    ['<Rows><Row><Amount>0</Amount><Reason>OTHER</Reason></Row></Rows>', null, /no column that names an action/],
    ['<Rows><Row><ActionId>1</ActionId><Amount>0</Amount><Reason>OTHER &nbsp;</Reason></Row></Rows>', 'Reason', /"&nbsp;" is not an entity/],
    ['<Rows><Row><ActionId>1</ActionId><Note>Tom & Jerry</Note><Amount>0</Amount><Reason>OTHER</Reason></Row></Rows>', 'Note', /write & as &amp;/],
    ['<Rows><Row><ActionId>1</ActionId><Amount><Value>0</Value></Amount><Reason>OTHER</Reason></Row></Rows>', 'Amount', /holds an element <Value>/],
    ['<Rows><Row>1<ActionId>1</ActionId><Amount>0</Amount><Reason>OTHER</Reason></Row></Rows>', null, /text outside its column elements/],
    ['<Rows><Row><ActionId>1</ActionId><Amount>-1</Amount><Reason>OTHER</Reason></Row></Rows>', 'Amount', /negative/],
    ['<Rows><Row><ActionId>1</ActionId><Amount>0</Amount><CustomerStatus>NEW</CustomerStatus><Reason>OTHER</Reason></Row></Rows>', 'CustomerStatus', /reversal row/],
  ])('makes a bad row INVALID: %s', async (content, column, message) => {
    const { rows } = await read(`${content.replace('</Rows>', '')}<Row><ActionId>9</ActionId><Amount>0</Amount><Reason>OTHER</Reason></Row></Rows>`, { fileName: 'a.xml' });
    expect(rows.map((row) => ('invalid' in row ? row.invalid : 'ok'))).toEqual([{ column, message: expect.stringMatching(message) }, 'ok']);
  });

  it('refuses a DTD, and so the billion laughs, before expanding anything', async () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Rows><Row><ActionId>1</ActionId><Note>&lol9;</Note><Amount>0</Amount><Reason>OTHER</Reason></Row></Rows>`;
    const error = await fileError(laughs, { fileName: 'a.xml' });
    expect(error.code).toBe('XML_DTD');
    expect(error.message).toMatch(/^XML with a DTD is not accepted/);
    const external = await fileError('<?xml version="1.0"?><!DOCTYPE r SYSTEM "file:///etc/passwd"><Rows/>', { fileName: 'a.xml' });
    expect(external.code).toBe('XML_DTD');
    const entityInside = await fileError('<Rows><!ENTITY x "y"><Row/></Rows>', { fileName: 'a.xml' });
    expect(entityInside.code).toBe('XML_DTD');
  });

  it('refuses nesting deeper than the limit at once, without following it down', async () => {
    const depth = 1_000_000;
    const error = await fileError(`${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`, { fileName: 'deep.xml' });
    expect(error.code).toBe('XML_TOO_DEEP');
    expect(error.message).toMatch(/deeper than 8 levels/);
  });

  it.each([
    ['<Rows><Row><ActionId>1</ActionId></Rows>', /<\/Rows> closes <Row>/],
    ['<Rows><Row><ActionId>1</ActionId></Row>', /ends before the element <Rows> is closed/],
    ['<Rows/><Rows/>', /second root element/],
    ['<Rows/>trailing', /text stands outside the root element/],
    ['<Rows>text<Row/></Rows>', /text stands directly inside <Rows>/],
    ['<Rows><Row><1bad>x</1bad></Row></Rows>', /is not a tag/],
    ['<Rows><Row><ActionId', /ends inside a tag/],
  ])('fails XML that is not well-formed: %s', async (content, message) => {
    const error = await fileError(content, { fileName: 'a.xml' });
    expect(error.code).toBe('XML_MALFORMED');
    expect(error.message).toMatch(message);
  });

  it('refuses a file named or sent as XML that is not, and takes an XML file whatever its name', async () => {
    expect((await fileError('ActionId,Amount,Reason\n', { fileName: 'returns.xml' })).code).toBe('NOT_XML');
    expect((await fileError('ActionId,Amount,Reason\n', { fileName: 'r', contentType: 'text/xml; charset=utf-8' })).code).toBe('NOT_XML');
    const { file } = await read('\uFEFF  \n<Rows/>', { fileName: 'returns.csv' });
    expect(file.format).toBe('XML');
  });

  it('makes a row over the line limit INVALID without keeping it, and a value over the field limit names its column', async () => {
    const big = `<Row><ActionId>2</ActionId><Note>${'x'.repeat(100_000)}</Note><Amount>0</Amount><Reason>OTHER</Reason></Row>`;
    const long = `<Row><ActionId>3</ActionId><Note>${'y'.repeat(5000)}</Note><Amount>0</Amount><Reason>OTHER</Reason></Row>`;
    const { rows } = await read(`<Rows><Row><ActionId>1</ActionId><Amount>0</Amount><Reason>OTHER</Reason></Row>${big}${long}</Rows>`, { fileName: 'a.xml' });
    expect(rows.map((row) => ('invalid' in row ? row.invalid : 'ok'))).toEqual([
      'ok',
      { column: null, message: expect.stringMatching(/row is longer than 65536 characters/) },
      { column: 'Note', message: 'the value of Note is longer than 4096 characters (the limit)' },
    ]);
  });

  it('reads XML in Windows-1252 and UTF-16, and split into pieces anywhere', async () => {
    const text = '<Rows>\r\n<Row><Oid>Zoë &amp; Co</Oid><ActionTrackerId>1</ActionTrackerId><Amount>0</Amount><Reason>OTHER</Reason></Row><!-- c --><Row><ActionId>2</ActionId><Reason>RESET</Reason></Row></Rows>';
    const latin = await read(new Uint8Array(Buffer.from(text, 'latin1')), { fileName: 'a.xml' });
    expect(latin.file.encoding).toBe('WINDOWS-1252');
    expect(latin.rows[0]!.cells[0]).toEqual(['Oid', 'Zoë & Co']);
    const utf16 = await read(new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])), { fileName: 'a.xml' });
    expect(utf16.rows[0]!.cells[0]).toEqual(['Oid', 'Zoë & Co']);
    const bytes = utf8(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const file = await readReturnsFile(
        (async function* () {
          yield bytes.subarray(0, cut);
          yield bytes.subarray(cut);
        })(),
        { fileName: 'a.xml' },
      );
      const got = await collect(file.rows);
      expect(
        got.map((row) => ('request' in row ? row.request.kind : row.invalid)),
        `cut at ${cut}`,
      ).toEqual(['ORDER', 'RESET']);
      expect(got[0]!.cells[0], `cut at ${cut}`).toEqual(['Oid', 'Zoë & Co']);
    }
  });
});

describe('templates', () => {
  it('are what `lockstep returns template` prints', async () => {
    const printed: string[] = [];
    const errors: string[] = [];
    const program = new Command().exitOverride().configureOutput({ writeErr: (text) => errors.push(text), writeOut: (text) => printed.push(text) });
    registerReturnsCommands(program);
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      await program.parseAsync(['returns', 'template', '--layout', 'item', '--format', 'xml'], { from: 'user' });
      expect(printed.join('')).toBe(returnsTemplate('item', 'XML').body);
      printed.length = 0;
      await program.parseAsync(['returns', 'template', '--layout', 'RESET'], { from: 'user' });
      expect(printed.join('')).toBe(returnsTemplate('reset', 'CSV').body);
      await expect(program.parseAsync(['returns', 'template', '--format', 'json'], { from: 'user' })).rejects.toThrow(/--format must be one of csv, xml/);
    } finally {
      write.mockRestore();
    }
  });

  it.each(RETURNS_LAYOUTS.flatMap((layout) => RETURNS_FORMATS.map((format) => [layout, format] as const)))('%s %s is read back without a problem', async (layout, format) => {
    const template = returnsTemplate(layout, format);
    expect(template.fileName).toMatch(new RegExp(`\\.${format.toLowerCase()}$`));
    const { file, rows } = await read(template.body, { fileName: template.fileName, contentType: template.contentType });
    expect(file.format).toBe(format);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect('invalid' in row ? row.invalid : null).toBeNull();
    const kinds = rows.map((row) => ('request' in row ? row.request.kind : null));
    expect(kinds.every((kind) => kind === { order: 'ORDER', item: 'ITEMS', reset: 'RESET' }[layout])).toBe(true);
  });
});

describe('streaming', () => {
  it('reads a file far larger than the memory it uses, rows arriving while the source is still being read', async () => {
    const rowsWanted = 250_000;
    const note = 'n'.repeat(420);
    let produced = 0;
    let sourceDone = false;
    async function* source() {
      const header = utf8('ActionId,Note,Amount,Reason\r\n');
      produced += header.byteLength;
      yield header;
      const perPiece = 256;
      for (let n = 1; n <= rowsWanted; n += perPiece) {
        let text = '';
        for (let k = n; k < Math.min(n + perPiece, rowsWanted + 1); k++) text += `${k},${note},${k % 100}.50,ITEM_RETURNED\r\n`;
        const bytes = utf8(text);
        produced += bytes.byteLength;
        yield bytes;
      }
      sourceDone = true;
    }
    const file = await readReturnsFile(source(), { fileName: 'big.csv' });
    let count = 0;
    let bytesWhenFirstRow = -1;
    // The bytes of the header and of the rows handed out so far; what the source produced beyond them is what the reader holds.
    let consumed = 'ActionId,Note,Amount,Reason\r\n'.length;
    let aheadMax = 0;
    for await (const row of file.rows) {
      if (count === 0) bytesWhenFirstRow = produced;
      count++;
      if ('invalid' in row) throw new Error(`row ${row.rowNumber}: ${row.invalid.message}`);
      consumed += row.cells.map(([, value]) => value).join(',').length + 2;
      aheadMax = Math.max(aheadMax, produced - consumed);
    }
    expect(count).toBe(rowsWanted);
    expect(sourceDone).toBe(true);
    expect(consumed).toBe(produced);
    expect(produced).toBeGreaterThan(100 * 1024 * 1024);
    // The first row came when the source had produced one piece, not the file.
    expect(bytesWhenFirstRow).toBeLessThan(256 * 1024);
    // The reader never held more than two of the source's pieces (256 rows, about 110 KB each) of a 100+ MB file.
    expect(aheadMax).toBeLessThan(2 * 256 * 460);
  });
});
