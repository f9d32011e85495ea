/**
 * The meeting point of the returns file reader (src/modules/returns/parse/) and the batch
 * engine that applies what it reads. The reader knows files (bytes, encodings, CSV and
 * XML, column names as impact.com spells them); it knows nothing of actions. The engine
 * knows actions; it never looks at a file's bytes. Amounts stay decimal text here: only
 * the action's program says which currency, and so how many decimals, they are in.
 */
import type { ChangeReasonCode } from '../actions/types.js';

export const RETURNS_FORMATS = ['CSV', 'XML'] as const;
export type ReturnsFormat = (typeof RETURNS_FORMATS)[number];

/** The layouts a brand can download a template of. */
export const RETURNS_LAYOUTS = ['order', 'item', 'reset'] as const;
export type ReturnsLayout = (typeof RETURNS_LAYOUTS)[number];

/** One cell as the file had it: the column's name as spelled in the file, and the text. */
export type ReturnsCell = readonly [column: string, value: string];

/** Which action a row is about. */
export type ReturnsTarget =
  | { readonly by: 'ActionId'; readonly actionId: string }
  | { readonly by: 'OrderId'; readonly orderId: string; readonly actionTrackerId: string };

/** An item-level change: item `index` (1-based, as `Sku1` is the first item) gets a new quantity and amount, or is rejected (quantity 0). */
export interface ReturnsItemChange {
  readonly index: number;
  readonly sku?: string;
  readonly category?: string;
  /** Absolute new quantity; 0 rejects the item. */
  readonly quantity?: number;
  /** Absolute new amount of the item, decimal text. */
  readonly amount?: string;
}

/** What a well-formed row asks for. The engine checks it against the action. */
export type ReturnsRequest =
  | { readonly kind: 'RESET'; readonly target: ReturnsTarget }
  /** `Reason=APPROVED`: approve (lock) the action now, as open-ended locking settles one. */
  | { readonly kind: 'APPROVE'; readonly target: ReturnsTarget }
  /** Order level: the new sale amount (`0` reverses unless the original was 0). */
  | {
      readonly kind: 'ORDER';
      readonly target: ReturnsTarget;
      readonly reason: ChangeReasonCode;
      readonly amount: string;
      readonly currencyCode?: string;
      readonly customerStatus?: string;
    }
  /** Item level: changes to some items, by index. */
  | {
      readonly kind: 'ITEMS';
      readonly target: ReturnsTarget;
      readonly reason: ChangeReasonCode;
      readonly items: readonly ReturnsItemChange[];
      readonly currencyCode?: string;
      readonly customerStatus?: string;
    };

/** A row the reader could not make sense of: which column (null when the row as a whole) and why. */
export interface ReturnsRowProblem {
  readonly column: string | null;
  readonly message: string;
}

/** One data row of a file, numbered from 1 (the first row after a CSV header; the first record of an XML file). */
export type ReturnsRow =
  | { readonly rowNumber: number; readonly cells: readonly ReturnsCell[]; readonly request: ReturnsRequest }
  | { readonly rowNumber: number; readonly cells: readonly ReturnsCell[]; readonly invalid: ReturnsRowProblem };

/**
 * Bounds on what a file may hold. A file beyond the size, row, column or depth limit fails
 * as a whole, saying which; a row beyond the line or field limit is that row's INVALID (a
 * header line beyond it fails the file). Line and field lengths count characters of the
 * decoded text.
 */
export interface ReturnsLimits {
  readonly maxBytes: number;
  readonly maxRows: number;
  readonly maxColumns: number;
  /** One CSV line (a record, quoted newlines included) or one XML record. */
  readonly maxLineBytes: number;
  /** One value (a CSV field, an XML column element's text). */
  readonly maxFieldBytes: number;
  readonly maxXmlDepth: number;
}

/** Outcomes of a row, as the result file and the API name them. */
export const RETURNS_OUTCOMES = ['APPLIED', 'UNCHANGED', 'LOCKED', 'NOT_FOUND', 'AMBIGUOUS', 'INVALID', 'CPC_NEEDS_SUPPORT', 'LIMIT_REACHED'] as const;
export type ReturnsOutcome = (typeof RETURNS_OUTCOMES)[number];

/** The ways a file reaches the platform (Returns Processing's five options, and the browser upload and CLI, which are the API's). */
export const RETURNS_CHANNELS = ['API', 'UPLOAD', 'CLI', 'SFTP', 'PULL', 'EMAIL', 'SALESFORCE', 'IMPACT_API'] as const;
export type ReturnsChannel = (typeof RETURNS_CHANNELS)[number];

/** Returns Processing, per event type: how that event type's returns arrive. */
export const RETURNS_PROCESSING_METHODS = ['API', 'SFTP_UPLOAD', 'SFTP_PULL', 'EMAIL', 'SALESFORCE'] as const;
export type ReturnsProcessingMethod = (typeof RETURNS_PROCESSING_METHODS)[number];

/** A batch's life: stored on arrival, applied by the worker, then done, or failed when the file cannot be read. */
export const BATCH_STATUSES = ['RECEIVED', 'RUNNING', 'DONE', 'FAILED'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
