/**
 * A Salesforce record change to a row of a returns file, through the event type's mapping
 * (Returns Processing → SALESFORCE: the object, the field holding the action id or the
 * order id, the status field and what each of its values means). The rows are written as
 * a CSV file in the engine's own columns (README, File formats → returns files), stored as
 * one batch (channel SALESFORCE): the engine then checks, applies and reports each row as
 * it does any file's. A change that maps to nothing is skipped here, with the reason, and
 * never reaches the engine.
 */
import type { SalesforceSettings, SalesforceStatusMapping } from '../../modules/programs/returns-settings.js';

/** One changed record, as an Outbound Message notification or a polled record brings it. */
export interface RecordChange {
  /** The notification's Id (Outbound Message), or `<record Id>@<SystemModstamp>` (poll). */
  notificationId: string;
  /** The sObject's type (`Opportunity`, `Order__c`). */
  objectType: string;
  /** The record's Id. */
  recordId: string;
  /** The record's fields, by API name; null for an empty field. */
  fields: Readonly<Record<string, string | null>>;
}

export type MappedChange =
  | { mapped: true; change: SalesforceStatusMapping['change']; statusValue: string; row: ReturnsFileRow }
  | { mapped: false; statusValue: string | null; message: string };

export interface ReturnsFileRow {
  ActionId: string;
  Oid: string;
  ActionTrackerId: string;
  Amount: string;
  Reason: string;
  SalesforceObject: string;
  SalesforceId: string;
  SalesforceStatus: string;
  NotificationId: string;
}

const COLUMNS: ReadonlyArray<keyof ReturnsFileRow> = [
  'ActionId',
  'Oid',
  'ActionTrackerId',
  'Amount',
  'Reason',
  'SalesforceObject',
  'SalesforceId',
  'SalesforceStatus',
  'NotificationId',
];

/** A field's value by its API name; Salesforce names are case-insensitive, so a differently cased name is found too. */
export function fieldOf(fields: Readonly<Record<string, string | null>>, name: string): string | null {
  if (Object.hasOwn(fields, name)) return fields[name] ?? null;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(fields)) if (key.toLowerCase() === lower) return value;
  return null;
}

/** A Salesforce number as decimal text the engine reads (`1500.0` stays, `1.5E3` becomes `1500`). */
export function amountText(value: string): string {
  const text = value.trim();
  if (/[eE]/.test(text) && Number.isFinite(Number(text))) {
    const n = Number(text);
    return Math.abs(n) < 1e15 ? String(Number(n.toFixed(10))) : text;
  }
  return text;
}

/** What the mapping makes of one record change. */
export function mapChange(settings: SalesforceSettings, eventTypeId: number, change: RecordChange): MappedChange {
  const statusValue = fieldOf(change.fields, settings.statusField)?.trim() ?? null;
  if (change.objectType && change.objectType.toLowerCase() !== settings.objectName.toLowerCase()) {
    return { mapped: false, statusValue, message: `The record is a ${change.objectType}; the mapping is for ${settings.objectName}.` };
  }
  if (statusValue === null || statusValue === '') {
    return { mapped: false, statusValue, message: `${settings.statusField} is empty (or not sent: add it to the Outbound Message's fields).` };
  }
  const mapping = settings.statuses.find((s) => s.value === statusValue) ?? settings.statuses.find((s) => s.value.toLowerCase() === statusValue.toLowerCase());
  if (!mapping) {
    const known = settings.statuses.map((s) => `"${s.value}"`).join(', ');
    return { mapped: false, statusValue, message: `${settings.statusField} "${statusValue.slice(0, 80)}" maps to no change (mapped: ${known}); nothing to do.` };
  }
  const match = fieldOf(change.fields, settings.matchField)?.trim() ?? '';
  if (match === '') {
    const what = settings.matchBy === 'ACTION_ID' ? 'Lockstep action id' : 'order id';
    return { mapped: false, statusValue, message: `${settings.matchField} (the ${what}) is empty (or not sent: add it to the Outbound Message's fields).` };
  }
  let amount = '';
  if (mapping.change === 'REVERSE') amount = '0';
  else if (mapping.change === 'MODIFY_AMOUNT') {
    const field = mapping.amountField ?? 'Amount';
    const value = fieldOf(change.fields, field)?.trim() ?? '';
    if (value === '') return { mapped: false, statusValue, message: `${field} (the new sale amount for "${mapping.value}") is empty (or not sent: add it to the Outbound Message's fields).` };
    amount = amountText(value);
  }
  const reason = mapping.change === 'RESET' ? 'RESET' : mapping.change === 'APPROVE' ? 'APPROVED' : (mapping.reason ?? '');
  const byAction = settings.matchBy === 'ACTION_ID';
  return {
    mapped: true,
    change: mapping.change,
    statusValue,
    row: {
      ActionId: byAction ? match : '',
      Oid: byAction ? '' : match,
      ActionTrackerId: byAction ? '' : String(eventTypeId),
      Amount: amount,
      Reason: reason,
      SalesforceObject: change.objectType || settings.objectName,
      SalesforceId: change.recordId,
      SalesforceStatus: statusValue,
      NotificationId: change.notificationId,
    },
  };
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The rows as a returns file (RFC 4180 CSV, UTF-8) in the engine's columns; the Salesforce columns ride along into the result file. */
export function returnsCsv(rows: readonly ReturnsFileRow[]): Buffer {
  const lines = [COLUMNS.join(','), ...rows.map((row) => COLUMNS.map((column) => csvCell(row[column])).join(','))];
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}
