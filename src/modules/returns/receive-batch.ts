import { createHash } from 'node:crypto';
import { DomainError, invalid } from '../../core/errors.js';
import type { Db, Sql } from '../../db/types.js';
import { findBatchByHash, getBatchById, type BatchFormat, type BatchRow } from './queries.js';
import type { ReturnsChannel } from './types.js';

/** The largest file a batch takes (a 1,000,000-row order-level file is about 40 MB). */
export const MAX_RETURNS_FILE_BYTES = 128 * 1024 * 1024;
/** Bytes per stored chunk: any instance streams a file back a chunk at a time. */
const CONTENT_CHUNK_BYTES = 1024 * 1024;
/** The longest file name kept (a longer one is refused, not cut). */
export const MAX_FILE_NAME_LENGTH = 255;

/** Names the platform's own replies carry: a file named so is never applied (impact.com's rule). */
const RESERVED_PREFIX = /^(receipt_|result_)/i;

export interface ReceivedFile {
  fileName: string;
  contentType: string | null;
  channel: ReturnsChannel;
  /** The bytes as they arrive. */
  content: AsyncIterable<Uint8Array> | Uint8Array;
  /** CSV, XML, or IMPACT_API (a submission's parameters as JSON); null: the reader tells from the bytes. */
  format?: BatchFormat | null;
  /** IMPACT_API only. */
  submission?: { id: string; type: 'Modification' | 'Reversal' };
}

export type Received =
  | { ignored: true; message: string }
  | { ignored: false; created: boolean; batch: BatchRow };

export interface ReceiveScope {
  brandAccountId: number;
  programId: number;
  eventTypeId: number;
  userId: number | null;
  now: Date;
}

/** Whether a file of this name is one of the platform's own replies, which are ignored. */
export function isReservedFileName(fileName: string): boolean {
  return RESERVED_PREFIX.test(fileName.replace(/^.*[\\/]/, ''));
}

/** The bytes, counted and hashed as they arrive, refused past the limit (before more is read). */
async function readAllOrThrow(content: AsyncIterable<Uint8Array> | Uint8Array): Promise<{ chunks: Buffer[]; bytes: number; hash: string }> {
  const hash = createHash('sha256');
  const parts: Buffer[] = [];
  let bytes = 0;
  const take = (part: Uint8Array) => {
    bytes += part.byteLength;
    if (bytes > MAX_RETURNS_FILE_BYTES) {
      throw new DomainError('payload-too-large', `The file is larger than ${MAX_RETURNS_FILE_BYTES / 1024 / 1024} MiB; split it into several files.`);
    }
    hash.update(part);
    parts.push(Buffer.from(part.buffer, part.byteOffset, part.byteLength));
  };
  if (content instanceof Uint8Array) take(content);
  else for await (const part of content) take(part);
  const whole = Buffer.concat(parts);
  const chunks: Buffer[] = [];
  for (let at = 0; at < whole.length; at += CONTENT_CHUNK_BYTES) chunks.push(whole.subarray(at, at + CONTENT_CHUNK_BYTES));
  return { chunks, bytes, hash: hash.digest('hex') };
}

/**
 * Stores a file durably (its bytes and SHA-256) with its batch, and its work through
 * `enqueueWork`, in one transaction, before anyone is told it was received. The same bytes
 * for the same event type again (not an API submission) are the first batch: nothing is
 * stored and nothing will be applied. Two of the same at once meet at a transaction-scoped
 * advisory lock on (event type, hash), so the second waits for the first and finds it.
 */
export async function receiveReturnsBatch(
  db: Db,
  scope: ReceiveScope,
  file: ReceivedFile,
  enqueueWork: (tx: Sql, batchId: bigint) => Promise<bigint>,
): Promise<Received> {
  const fileName = file.fileName.trim();
  if (fileName.length === 0) throw invalid('fileName: give the file its name (e.g. returns_2026_12_03.csv).');
  if (fileName.length > MAX_FILE_NAME_LENGTH) throw invalid(`fileName: at most ${MAX_FILE_NAME_LENGTH} characters.`);
  if (isReservedFileName(fileName)) {
    return {
      ignored: true,
      message: `${fileName} was ignored: files named receipt_* or result_* are the platform's own replies and are never applied. Rename the file to send it.`,
    };
  }
  const { chunks, bytes, hash } = await readAllOrThrow(file.content);
  const isSubmission = file.channel === 'IMPACT_API';
  return db.transaction(async (tx) => {
    if (!isSubmission) {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`returns:${scope.eventTypeId}:${hash}`]);
      const first = await findBatchByHash(tx, scope.eventTypeId, hash);
      if (first) return { ignored: false, created: false, batch: first };
    }
    const { rows } = await tx.query<{ id: string }>(
      `insert into returns_batches (brand_account_id, program_id, event_type_id, channel, file_name, content_type, format, content_hash, bytes,
                                    status, submission_id, submission_type, uploaded_by_user_id, received_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'RECEIVED', $10::uuid, $11, $12, $13)
       returning id::text as id`,
      [
        scope.brandAccountId,
        scope.programId,
        scope.eventTypeId,
        file.channel,
        fileName,
        file.contentType?.slice(0, 200) ?? null,
        file.format ?? null,
        hash,
        bytes,
        file.submission?.id ?? null,
        file.submission?.type ?? null,
        scope.userId,
        scope.now,
      ],
    );
    const batchId = BigInt(rows[0]!.id);
    for (const [seq, chunk] of chunks.entries()) {
      await tx.query('insert into returns_batch_content (batch_id, seq, content) values ($1, $2, $3)', [batchId.toString(), seq, chunk]);
    }
    const workItemId = await enqueueWork(tx, batchId);
    await tx.query('update returns_batches set work_item_id = $2 where id = $1', [batchId.toString(), workItemId.toString()]);
    return { ignored: false, created: true, batch: (await getBatchById(tx, batchId))! };
  });
}
