import zlib from 'node:zlib';
import ExcelJS from 'exceljs';

export interface Sheet {
  /** Every row (row 1 first) as its cell values. */
  rows: ExcelJS.CellValue[][];
  /** Row 1 as the column names… */
  header: string[];
  /** …and every later row as values by those names. */
  records: Array<Record<string, ExcelJS.CellValue>>;
}

/** A downloaded workbook, and its sheets by name (the first sheet when no name is given). */
export async function readWorkbook(data: Buffer | string): Promise<{ workbook: ExcelJS.Workbook; sheet(name?: string): Sheet }> {
  const workbook = new ExcelJS.Workbook();
  if (typeof data === 'string') await workbook.xlsx.readFile(data);
  else await workbook.xlsx.load(data as unknown as ArrayBuffer);
  return {
    workbook,
    sheet(name) {
      const sheet = name === undefined ? workbook.worksheets[0] : workbook.getWorksheet(name);
      if (!sheet) throw new Error(`no sheet ${name ?? '(first)'}`);
      const rows: ExcelJS.CellValue[][] = [];
      sheet.eachRow({ includeEmpty: true }, (row, n) => {
        rows[n - 1] = Array.from({ length: sheet.columnCount }, (_, i) => row.getCell(i + 1).value);
      });
      const header = (rows[0] ?? []).map((value) => String(value ?? ''));
      const records = rows.slice(1).map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? null])));
      return { rows, header, records };
    },
  };
}

// Windows-1252's 0x80-0x9F (Node's TextDecoder('windows-1252') decodes them as Latin-1 controls).
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const decode1252 = (bytes: Buffer) => [...bytes].map((b) => (b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : String.fromCharCode(b))).join('');

/**
 * The text a PDF shows, one string per text-showing operator, in drawing order. Enough
 * for the documents pdfkit writes with its standard fonts: Flate-compressed content
 * streams, strings as hex (one byte per Windows-1252 character) in Tj / TJ.
 */
export function pdfText(data: Buffer): { pages: number; texts: string[] } {
  const raw = data.toString('latin1');
  const texts: string[] = [];
  const streamRe = /stream\r?\n/g;
  // exec, not matchAll: the loop moves streamRe.lastIndex past each stream it reads.
  for (let match = streamRe.exec(raw); match; match = streamRe.exec(raw)) {
    const start = match.index + match[0].length;
    const end = raw.indexOf('endstream', start);
    if (end === -1) break;
    let content: string;
    try {
      content = zlib.inflateSync(data.subarray(start, end)).toString('latin1');
    } catch {
      continue; // not a Flate stream (fonts, images)
    }
    for (const op of content.matchAll(/\[((?:<[0-9a-fA-F]*>|[-\d.\s])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      const hex = op[1] !== undefined ? [...op[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((m) => m[1]).join('') : op[2]!;
      texts.push(decode1252(Buffer.from(hex, 'hex')));
    }
    streamRe.lastIndex = end;
  }
  return { pages: (raw.match(/\/Type \/Page\b/g) ?? []).length, texts };
}
