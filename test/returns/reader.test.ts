/**
 * The returns file reader (issue 13 item 1 and its "Bad input" corpus): a pure table of
 * files and what the reader makes of them, then the hostile files, then streaming.
 */
import { describe, expect, it } from 'vitest';
import { CHANGE_REASON_CODES } from '../../src/modules/actions/types.js';
import { DEFAULT_RETURNS_LIMITS, readReturnsFile, ReturnsFileError, returnsTemplate, type ReturnsFile } from '../../src/modules/returns/parse/index.js';
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
