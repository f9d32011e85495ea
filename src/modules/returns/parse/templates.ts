/**
 * The template files a brand downloads (the UI, `GET /api/v1/returns/templates/{layout}.{csv|xml}`
 * and `lockstep returns template`): one per layout and format, a header with the columns
 * as impact.com spells them and example rows that this reader reads back without a
 * problem (test/returns/reader.test.ts reads every one).
 */
import type { ReturnsFormat, ReturnsLayout } from '../types.js';

export interface ReturnsTemplate {
  readonly fileName: string;
  readonly contentType: string;
  readonly body: string;
}

type TemplateRow = Readonly<Record<string, string>>;

/** Columns and example rows of each layout; an empty value is an empty cell (CSV) or a left-out element (XML). */
const LAYOUTS: Record<ReturnsLayout, { readonly name: string; readonly columns: readonly string[]; readonly rows: readonly TemplateRow[] }> = {
  order: {
    name: 'order-level',
    columns: ['ActionId', 'Oid', 'ActionTrackerId', 'Amount', 'currencyCode', 'CustomerStatus', 'Reason'],
    rows: [
      // A modification by ActionId: the order's new sale amount.
      { ActionId: '1000001', Amount: '79.00', currencyCode: 'USD', CustomerStatus: 'EXISTING', Reason: 'ORDER_UPDATE' },
      // A reversal by order id and event type: Amount 0 (no CustomerStatus on a reversal).
      { Oid: 'O9999935', ActionTrackerId: '16027', Amount: '0', Reason: 'ITEM_RETURNED' },
    ],
  },
  item: {
    name: 'item-level',
    columns: ['ActionId', 'Oid', 'ActionTrackerId', 'Sku1', 'Category1', 'Quantity1', 'Amount1', 'Sku2', 'Category2', 'Quantity2', 'Amount2', 'Reason'],
    rows: [
      // Item 1 keeps one of two at its new amount; item 2 is returned (quantity 0 rejects it).
      { ActionId: '1000001', Sku1: 'TENT-2P', Category1: 'Tents', Quantity1: '1', Amount1: '249.00', Sku2: 'STOVE-1', Category2: 'Stoves', Quantity2: '0', Amount2: '0', Reason: 'ITEM_RETURNED' },
      { Oid: 'O9999935', ActionTrackerId: '16027', Sku1: 'BOOT-42', Category1: 'Boots', Quantity1: '2', Amount1: '180.00', Reason: 'ORDER_UPDATE' },
    ],
  },
  reset: {
    name: 'reset',
    columns: ['Oid', 'ActionTrackerId', 'Reason'],
    rows: [{ Oid: 'O9999935', ActionTrackerId: '16027', Reason: 'RESET' }],
  },
};

const CONTENT_TYPES: Record<ReturnsFormat, string> = { CSV: 'text/csv; charset=utf-8', XML: 'application/xml; charset=utf-8' };

export function returnsTemplate(layout: ReturnsLayout, format: ReturnsFormat): ReturnsTemplate {
  const { name, columns, rows } = LAYOUTS[layout];
  const body = format === 'CSV' ? csvBody(columns, rows) : xmlBody(columns, rows);
  return { fileName: `returns-${name}-template.${format.toLowerCase()}`, contentType: CONTENT_TYPES[format], body };
}

/** The example values hold no delimiter, quote or line break, so no cell needs quoting. */
function csvBody(columns: readonly string[], rows: readonly TemplateRow[]): string {
  const lines = [columns.join(','), ...rows.map((row) => columns.map((column) => row[column] ?? '').join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** The flat form: a root holding one element per row, whose children are the columns. The values need no escaping. */
function xmlBody(columns: readonly string[], rows: readonly TemplateRow[]): string {
  const records = rows.map((row) => {
    const cells = columns.filter((column) => row[column]).map((column) => `    <${column}>${row[column]}</${column}>`);
    return `  <Row>\n${cells.join('\n')}\n  </Row>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Rows>\n${records.join('\n')}\n</Rows>\n`;
}
