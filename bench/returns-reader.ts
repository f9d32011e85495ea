/**
 * The returns file reader on a 1,000,000-row order-level CSV file (and 200,000 XML rows):
 * rows per second, against a baseline measured in the same run, a bare loop that decodes
 * the same bytes and splits them into lines and fields (no quoting, no mapping, no checks).
 * Target: CSV at least 200,000 rows/s (the engine applies 20,000 rows/s, so the reader
 * must be an order of magnitude faster).
 */
import { readReturnsFile } from '../src/modules/returns/parse/index.js';
import type { BenchResult, BenchRow } from './types.js';

const ROWS = 1_000_000;
const XML_ROWS = 200_000;
const TARGET_ROWS_PER_SEC = 200_000;

function csvFile(): Uint8Array {
  const lines = ['ActionId,Oid,ActionTrackerId,Amount,currencyCode,Reason'];
  for (let i = 1; i <= ROWS; i++) lines.push(i % 2 ? `${1_000_000_000 + i},,,${i % 1000}.${String(i % 100).padStart(2, '0')},USD,ORDER_UPDATE` : `,O-${i},16027,0,,ITEM_RETURNED`);
  return new TextEncoder().encode(`${lines.join('\r\n')}\r\n`);
}

function xmlFile(): Uint8Array {
  const records: string[] = [];
  for (let i = 1; i <= XML_ROWS; i++) records.push(`<Row><ActionId>${1_000_000_000 + i}</ActionId><Amount>${i % 1000}.50</Amount><Reason>ORDER_UPDATE</Reason></Row>`);
  return new TextEncoder().encode(`<?xml version="1.0"?>\n<Rows>\n${records.join('\n')}\n</Rows>\n`);
}

/** The baseline: decode, then split lines and fields with indexOf; nothing else. */
function bareSplit(bytes: Uint8Array): number {
  const text = new TextDecoder().decode(bytes);
  let rows = 0;
  let fields = 0;
  let at = text.indexOf('\n') + 1;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    fields += text.slice(at, end).split(',').length;
    rows++;
    at = end + 1;
  }
  return fields > 0 ? rows : 0;
}

async function readAll(bytes: Uint8Array, fileName: string): Promise<{ rows: number; invalid: number }> {
  const file = await readReturnsFile(bytes, { fileName });
  let rows = 0;
  let invalid = 0;
  for await (const row of file.rows) {
    rows++;
    if ('invalid' in row) invalid++;
  }
  return { rows, invalid };
}

function timed<T>(work: () => T): { value: T; seconds: number } {
  const start = process.hrtime.bigint();
  const value = work();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

async function timedAsync<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = process.hrtime.bigint();
  const value = await work();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

export async function run(): Promise<BenchResult> {
  const csv = csvFile();
  const xml = xmlFile();
  // One warm-up pass of each, so the JIT has compiled both before they are timed.
  bareSplit(csv.subarray(0, 2_000_000));
  await readAll(csv.subarray(0, 2_000_000), 'warm.csv');
  const baseline = timed(() => bareSplit(csv));
  const reader = await timedAsync(() => readAll(csv, 'returns.csv'));
  const xmlRun = await timedAsync(() => readAll(xml, 'returns.xml'));
  const baselineRate = baseline.value / baseline.seconds;
  const readerRate = reader.value.rows / reader.seconds;
  const xmlRate = xmlRun.value.rows / xmlRun.seconds;
  const rows: BenchRow[] = [
    { case: `bare split, ${ROWS.toLocaleString('en-US')} lines (baseline)`, requestsPerSec: baselineRate, p50Ms: 0, p99Ms: 0, ratio: 1, note: `${(csv.byteLength / 1e6).toFixed(1)} MB` },
    { case: 'readReturnsFile, order-level CSV', requestsPerSec: readerRate, p50Ms: 0, p99Ms: 0, ratio: readerRate / baselineRate, note: 'rows/s' },
    { case: `readReturnsFile, flat XML (${XML_ROWS.toLocaleString('en-US')} rows)`, requestsPerSec: xmlRate, p50Ms: 0, p99Ms: 0, ratio: xmlRate / baselineRate, note: 'rows/s' },
  ];
  const allRead = reader.value.rows === ROWS && reader.value.invalid === 0 && xmlRun.value.rows === XML_ROWS && xmlRun.value.invalid === 0;
  return {
    name: 'returns-reader',
    target: `order-level CSV read at >= ${TARGET_ROWS_PER_SEC.toLocaleString('en-US')} rows/s, every row well-formed`,
    passed: allRead && readerRate >= TARGET_ROWS_PER_SEC,
    rows,
    checks: [
      `CSV: ${reader.value.rows} rows (${reader.value.invalid} INVALID) in ${reader.seconds.toFixed(2)} s; XML: ${xmlRun.value.rows} rows (${xmlRun.value.invalid} INVALID) in ${xmlRun.seconds.toFixed(2)} s`,
      'bounded memory whatever the file size is tested in test/returns/reader.test.ts (streaming); the ratio is the one to compare across machines',
    ],
  };
}
