/**
 * What an account's SFTP tree shows, read from the database at each request (so every
 * instance shows the same, and a batch applied elsewhere appears at once):
 *
 *   /                                 one folder per event type set to SFTP_UPLOAD
 *   /12-online-sale/                  the files sent there by SFTP (not deleted), each with
 *     returns_2026_12_03.csv            the file as received
 *     receipt_returns_2026_12_03.txt    what was stored and, as it goes, what became of it
 *     result_returns_2026_12_03.csv     every row's outcome, once the batch is DONE
 *   /reports/                         scheduled reports delivered by SFTP, read-only (server.ts)
 */
import { Readable } from 'node:stream';
import type { Sql } from '../../db/types.js';
import { getBatchById, readBatchContent, type BatchRow } from '../../modules/returns/queries.js';
import { receiptFileName, receiptText, resultCsv, resultFileName } from '../../modules/returns/result-file.js';
import { eventTypeIdOfFolder, listFolderFiles, listSftpFolders, type SftpFile, type SftpFolder } from '../../modules/sftp-access/queries.js';

export type EntryKind = 'original' | 'receipt' | 'result';

export interface FolderEntry {
  name: string;
  kind: EntryKind;
  file: SftpFile;
}

/** The folder a name names, if it is one of the account's (by the event type id it starts with). */
export async function findFolder(sql: Sql, accountId: number, name: string): Promise<SftpFolder | undefined> {
  const eventTypeId = eventTypeIdOfFolder(name);
  if (eventTypeId === undefined) return undefined;
  return (await listSftpFolders(sql, accountId, eventTypeId))[0];
}

/** A folder's entries by name: each file, its receipt, and its result once DONE (the newest file wins a name they share). */
export async function folderEntries(sql: Sql, accountId: number, eventTypeId: number): Promise<Map<string, FolderEntry>> {
  const files = (await listFolderFiles(sql, accountId, eventTypeId)).sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime() || Number(b.batchId - a.batchId));
  const entries = new Map<string, FolderEntry>();
  const add = (name: string, kind: EntryKind, file: SftpFile) => {
    if (!entries.has(name)) entries.set(name, { name, kind, file });
  };
  for (const file of files) add(file.fileName, 'original', file);
  for (const file of files) {
    add(receiptFileName(file.fileName), 'receipt', file);
    if (file.status === 'DONE') add(resultFileName(file.fileName), 'result', file);
  }
  return new Map([...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function batchOrThrow(sql: Sql, entry: FolderEntry): Promise<BatchRow> {
  const batch = await getBatchById(sql, entry.file.batchId);
  if (!batch) throw new Error(`Batch ${entry.file.batchId} is gone.`);
  return batch;
}

/** An entry's bytes, as a stream (a result is written a page of outcomes at a time). */
export async function entryContent(sql: Sql, entry: FolderEntry): Promise<Readable> {
  if (entry.kind === 'original') return Readable.from(readBatchContent(sql, entry.file.batchId));
  const batch = await batchOrThrow(sql, entry);
  if (entry.kind === 'receipt') return Readable.from([Buffer.from(receiptText(batch))]);
  return resultCsv(sql, batch);
}

/**
 * The sizes of results already counted: a DONE batch's result never changes, and a
 * listing should not write every result again. Bounded; the oldest are forgotten first.
 */
const resultSizes = new Map<string, number>();
const MAX_REMEMBERED_SIZES = 10_000;

/** An entry's size in bytes, as a listing and stat show it. */
export async function entrySize(sql: Sql, entry: FolderEntry): Promise<number> {
  if (entry.kind === 'original') return entry.file.bytes;
  if (entry.kind === 'receipt') return Buffer.byteLength(receiptText(await batchOrThrow(sql, entry)));
  const key = entry.file.batchId.toString();
  const known = resultSizes.get(key);
  if (known !== undefined) return known;
  let size = 0;
  for await (const chunk of resultCsv(sql, await batchOrThrow(sql, entry))) size += Buffer.byteLength(chunk as Buffer | string);
  if (resultSizes.size >= MAX_REMEMBERED_SIZES) resultSizes.delete(resultSizes.keys().next().value!);
  resultSizes.set(key, size);
  return size;
}
